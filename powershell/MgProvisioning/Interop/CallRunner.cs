using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// Sends one provisioning call, either straight (one envelope in mode send) or through -HttpPipelinePrepend and
    /// -HttpPipelineAppend steps: mode prepare builds the request, the steps run, the innermost <c>$Next</c> sends with
    /// mode sendPrepared, and mode decode turns the chain's final response into the usual output or error.
    /// </summary>
    internal sealed class CallRunner
    {
        private readonly PSCmdlet _cmdlet;
        private readonly ProvisionCommand _command;
        private readonly IDictionary<string, object> _boundParameters;
        private readonly MgContextHandle _context;
        private readonly ProxyOptions _proxy;
        private readonly bool _debug;
        private readonly RequestContext _settings = RequestContextStore.Current;

        /// <summary>The progress reporter of the last envelope run.</summary>
        private CallProgressReporter _lastProgress;

        /// <summary>The outcome JSON of the last request sent through the pipeline, for -Debug's request block.</summary>
        private string _lastSentOutcome;

        internal CallRunner(
            PSCmdlet cmdlet, ProvisionCommand command, IDictionary<string, object> boundParameters, MgContextHandle context,
            ProxyOptions proxy, bool debug)
        {
            _cmdlet = cmdlet;
            _command = command;
            _boundParameters = boundParameters;
            _context = context;
            _proxy = proxy;
            _debug = debug;
        }

        /// <summary>Sends the call without pipeline steps: one envelope, one round trip through the core.</summary>
        internal ErrorRecord Send()
        {
            string outcomeJson = RunEnvelope(null, _debug, null);
            using (CallOutcome outcome = CallOutcome.Parse(outcomeJson))
            {
                _lastProgress.ReportLastAttempt(outcome.GetAttempts());
                if (_debug)
                {
                    ProvisionCall.WriteDebugLog(_cmdlet, outcome);
                }

                return ProvisionCall.Report(_cmdlet, _command, _boundParameters, outcome);
            }
        }

        /// <summary>Prepares the request, runs it through the steps and reports the final response.</summary>
        internal ErrorRecord SendThroughPipeline(HttpPipelineChain chain)
        {
            HttpPipelineRequest request;
            using (CallOutcome prepared = CallOutcome.Parse(RunEnvelope("prepare", false, null)))
            {
                if (prepared.Status != MgStatus.Ok || !(prepared.Request is JsonElement built))
                {
                    return ProvisionCall.Report(_cmdlet, _command, _boundParameters, prepared);
                }

                request = ToPipelineRequest(built);
            }

            HttpPipelineResponse response;
            try
            {
                response = chain.Invoke(request);
            }
            catch (HttpPipelineStepException error)
            {
                if (_cmdlet.Stopping)
                {
                    throw new PipelineStoppedException();
                }

                _cmdlet.WriteError(ErrorRecords.PipelineStepFailed(error, request));
                return null;
            }
            catch (PipelineSendFailedException failure)
            {
                using (CallOutcome outcome = CallOutcome.Parse(failure.OutcomeJson))
                {
                    if (_debug)
                    {
                        ProvisionCall.WriteDebugLog(_cmdlet, outcome);
                    }

                    return ProvisionCall.Report(_cmdlet, _command, _boundParameters, outcome);
                }
            }

            string decodedJson = RunEnvelope("decode", false, writer => WriteAnswer(writer, response));
            using (CallOutcome decoded = CallOutcome.Parse(decodedJson))
            {
                if (_debug)
                {
                    WritePipelineDebugLog(request, response);
                }

                return ProvisionCall.Report(_cmdlet, _command, _boundParameters, decoded);
            }
        }

        /// <summary>The innermost <c>$Next</c>: sends the request as the steps left it and returns the response.</summary>
        internal HttpPipelineResponse SendPrepared(HttpPipelineRequest request)
        {
            if (request.Uri == null || !request.Uri.IsAbsoluteUri)
            {
                throw new HttpPipelineStepException(
                    "The request's Uri '" + request.Uri + "' is not an absolute URI; a step must leave $Request.Uri absolute.", null);
            }

            string outcomeJson = RunEnvelope("sendPrepared", true, writer => WritePrepared(writer, request));
            using (CallOutcome outcome = CallOutcome.Parse(outcomeJson))
            {
                _lastProgress.ReportLastAttempt(outcome.GetAttempts());
                if (!(outcome.Response is JsonElement answer))
                {
                    if (outcome.Status == MgStatus.Cancelled && _cmdlet.Stopping)
                    {
                        throw new PipelineStoppedException();
                    }

                    throw new PipelineSendFailedException(outcomeJson);
                }

                _lastSentOutcome = outcomeJson;
                var response = new HttpPipelineResponse
                {
                    StatusCode = CallOutcome.GetInt32(answer, "statusCode") ?? 0,
                    Content = CallOutcome.GetString(answer, "body") ?? string.Empty,
                };
                foreach (KeyValuePair<string, string> header in ProvisionCall.ReadHeaderValues(answer))
                {
                    response.Headers.Add(header.Key, header.Value);
                }

                return response;
            }
        }

        private string RunEnvelope(string mode, bool includeResponseBody, Action<Utf8JsonWriter> writeExtraMembers)
        {
            var options = new CallOptions
            {
                Settings = _settings,
                Proxy = _proxy,
                IncludeResponseBody = includeResponseBody,
                Mode = mode,
                WriteExtraMembers = writeExtraMembers,
            };
            byte[] envelope = RequestEnvelope.Build(_command, _cmdlet.ParameterSetName, _boundParameters, options);
            _lastProgress = new CallProgressReporter(_cmdlet, _command.Name, _settings);
            return ProvisionCall.Run(_cmdlet, _context, envelope, _lastProgress);
        }

        private static HttpPipelineRequest ToPipelineRequest(JsonElement built)
        {
            var request = new HttpPipelineRequest
            {
                Method = CallOutcome.GetString(built, "method") ?? "POST",
                Uri = new Uri(CallOutcome.GetString(built, "uri"), UriKind.Absolute),
                Content = CallOutcome.GetString(built, "bodyText") ?? string.Empty,
            };
            foreach (KeyValuePair<string, string> header in ProvisionCall.ReadPairs(built, "headers"))
            {
                request.Headers.Add(header.Key, header.Value);
            }

            return request;
        }

        private static void WritePrepared(Utf8JsonWriter writer, HttpPipelineRequest request)
        {
            writer.WriteStartObject("prepared");
            writer.WriteString("method", string.IsNullOrEmpty(request.Method) ? "POST" : request.Method);
            writer.WriteString("uri", request.Uri.AbsoluteUri);
            writer.WriteStartArray("headers");
            foreach (KeyValuePair<string, string> header in request.Headers.GetPairs())
            {
                writer.WriteStartArray();
                writer.WriteStringValue(header.Key);
                writer.WriteStringValue(header.Value);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteString("body", request.Content ?? string.Empty);
            writer.WriteEndObject();
        }

        private static void WriteAnswer(Utf8JsonWriter writer, HttpPipelineResponse response)
        {
            writer.WriteStartObject("answer");
            writer.WriteNumber("statusCode", response.StatusCode);
            writer.WriteStartObject("headers");
            if (response.Headers != null)
            {
                foreach (string name in response.Headers.Keys)
                {
                    writer.WriteStartArray(name);
                    foreach (string value in response.Headers.GetValues(name))
                    {
                        writer.WriteStringValue(value);
                    }

                    writer.WriteEndArray();
                }
            }

            writer.WriteEndObject();
            writer.WriteString("body", response.Content ?? string.Empty);
            writer.WriteEndObject();
        }

        /// <summary>
        /// Writes -Debug's blocks for a pipeline call: the request as it was last sent (or, when a step answered on
        /// its own, as the steps left it) and the chain's final response.
        /// </summary>
        private void WritePipelineDebugLog(HttpPipelineRequest request, HttpPipelineResponse response)
        {
            if (_lastSentOutcome != null)
            {
                using (CallOutcome sent = CallOutcome.Parse(_lastSentOutcome))
                {
                    if (sent.Request is JsonElement sentRequest)
                    {
                        _cmdlet.WriteDebug(HttpDebugLog.FormatRequest(
                            CallOutcome.GetString(sentRequest, "method"),
                            CallOutcome.GetString(sentRequest, "uri"),
                            ProvisionCall.ReadPairs(sentRequest, "headers"),
                            CallOutcome.GetString(sentRequest, "bodyText")));
                    }
                }
            }
            else
            {
                _cmdlet.WriteDebug(HttpDebugLog.FormatRequest(
                    request.Method, request.Uri?.AbsoluteUri, request.Headers.GetPairs(), request.Content));
            }

            _cmdlet.WriteDebug(HttpDebugLog.FormatResponse(
                response.StatusCode,
                Enum.IsDefined(typeof(System.Net.HttpStatusCode), response.StatusCode) ? ((System.Net.HttpStatusCode)response.StatusCode).ToString() : null,
                response.Headers?.GetPairs(),
                response.Content));
        }
    }
}
