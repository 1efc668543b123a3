using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// Runs one provisionOnDemand call for a script function: builds the envelope, runs it through the native core,
    /// and writes output, warnings and non-terminating errors through the function's own <see cref="PSCmdlet"/>.
    /// </summary>
    public static class ProvisionCall
    {
        /// <summary>How long one <c>mg_call_wait</c> blocks before the loop checks for Ctrl+C, in milliseconds.</summary>
        private const uint StopCheckIntervalMs = 100;

        /// <summary>
        /// Runs the call. Returns an ErrorRecord that the caller must throw with <c>$PSCmdlet.ThrowTerminatingError</c>
        /// (throwing here would reach the user wrapped in a MethodInvocationException), or null.
        /// When the pipeline stops, the call is cancelled and <see cref="PipelineStoppedException"/> propagates.
        /// </summary>
        public static ErrorRecord Invoke(PSCmdlet cmdlet, ProvisionCommand command, IDictionary<string, object> boundParameters)
        {
            if (IsSwitchOn(boundParameters, "Break"))
            {
                DebuggerWait.Wait(cmdlet);
            }

            MgContextHandle context = GraphSession.GetContextHandle();
            if (context == null)
            {
                cmdlet.WriteError(ErrorRecords.NotConnected());
                return null;
            }

            ErrorRecord proxyError = ReadProxy(boundParameters, out ProxyOptions proxy);
            if (proxyError != null)
            {
                return proxyError;
            }

            bool debug = PreferenceCheck.IsEnabled(cmdlet, "Debug", "DebugPreference");
            var call = new CallRunner(cmdlet, command, boundParameters, context, proxy, debug);
            try
            {
                HttpPipelineChain chain = HttpPipelineChain.FromBoundParameters(boundParameters, call.SendPrepared);
                return chain == null ? call.Send() : call.SendThroughPipeline(chain);
            }
            catch (InputConversionException error)
            {
                int end = error.Path.IndexOfAny(new[] { '.', '[' });
                string parameter = end < 0 ? error.Path : error.Path.Substring(0, end);
                return ErrorRecords.InputConversion(error, boundParameters.TryGetValue(parameter, out object value) ? value : null);
            }
            catch (ObjectDisposedException)
            {
                // Disconnect-MgGraph in another runspace freed the context between the check above and the call.
                cmdlet.WriteError(ErrorRecords.NotConnected());
                return null;
            }
            catch (NativeCallException error)
            {
                return ErrorRecords.NativeFailure(error);
            }
        }

        /// <summary>
        /// Reads -Proxy, -ProxyCredential and -ProxyUseDefaultCredentials. Returns a terminating error for a proxy URI
        /// that is not absolute http or https, or for credentials without -Proxy.
        /// </summary>
        private static ErrorRecord ReadProxy(IDictionary<string, object> boundParameters, out ProxyOptions proxy)
        {
            proxy = null;
            Uri uri = boundParameters.TryGetValue("Proxy", out object boundUri) ? boundUri as Uri : null;
            PSCredential credential = boundParameters.TryGetValue("ProxyCredential", out object boundCredential)
                ? boundCredential as PSCredential
                : null;
            bool useDefaultCredentials = IsSwitchOn(boundParameters, "ProxyUseDefaultCredentials");
            if (uri == null && credential == null && !useDefaultCredentials)
            {
                return null;
            }

            if (uri != null && (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                return ErrorRecords.InvalidArgument(
                    "Proxy '" + uri.OriginalString + "' is not valid; give the proxy's absolute http or https URI, such as http://proxy.example.com:8080.",
                    "InvalidProxy",
                    uri);
            }

            if (uri == null && credential != null)
            {
                return ErrorRecords.InvalidArgument(
                    "ProxyCredential needs -Proxy: give the URI of the proxy that these credentials are for.", "InvalidProxy", null);
            }

            proxy = new ProxyOptions { Uri = uri, Credential = credential, UseDefaultCredentials = useDefaultCredentials };
            return null;
        }

        private static bool IsSwitchOn(IDictionary<string, object> boundParameters, string name)
        {
            return boundParameters.TryGetValue(name, out object value)
                && (value is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(value));
        }

        /// <summary>
        /// Runs one envelope through the native core: starts the call, waits in slices of 100 ms so Ctrl+C cancels
        /// it quickly, and reports progress once the call is still pending after the first slice (or from the start
        /// with -Verbose). Zeroes the envelope after the start, because it may hold the proxy password.
        /// </summary>
        internal static string Run(PSCmdlet cmdlet, MgContextHandle context, byte[] request, CallProgressReporter progress)
        {
            MgCallHandle call;
            try
            {
                call = NativeCore.StartCall(context, request);
            }
            finally
            {
                Array.Clear(request, 0, request.Length);
            }

            using (call)
            {
                try
                {
                    if (progress.VerboseEnabled)
                    {
                        progress.Update(NativeCore.ReadProgress(call));
                    }

                    while (NativeCore.Wait(call, StopCheckIntervalMs) == MgStatus.Pending)
                    {
                        if (cmdlet.Stopping)
                        {
                            NativeCore.Cancel(call);
                            throw new PipelineStoppedException();
                        }

                        progress.Update(NativeCore.ReadProgress(call));
                    }
                }
                finally
                {
                    progress.Complete();
                }

                return NativeCore.ReadOutcome(call);
            }
        }

        /// <summary>Writes -Debug's request and response blocks for an outcome that has them.</summary>
        internal static void WriteDebugLog(PSCmdlet cmdlet, CallOutcome outcome)
        {
            if (outcome.Request is JsonElement request)
            {
                cmdlet.WriteDebug(HttpDebugLog.FormatRequest(
                    CallOutcome.GetString(request, "method") ?? "POST",
                    CallOutcome.GetString(request, "uri"),
                    ReadPairs(request, "headers"),
                    CallOutcome.GetString(request, "bodyText") ?? GetRawText(request, "body")));
            }

            if (outcome.Response is JsonElement response)
            {
                cmdlet.WriteDebug(HttpDebugLog.FormatResponse(
                    CallOutcome.GetInt32(response, "statusCode") ?? 0,
                    CallOutcome.GetString(response, "reasonPhrase"),
                    ReadHeaderValues(response),
                    CallOutcome.GetString(response, "body")));
            }
        }

        /// <summary>Reads [name, value] pairs, the form of the outcome's request headers.</summary>
        internal static List<KeyValuePair<string, string>> ReadPairs(JsonElement element, string name)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (element.TryGetProperty(name, out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement pair in list.EnumerateArray())
                {
                    if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2)
                    {
                        pairs.Add(new KeyValuePair<string, string>(pair[0].GetString(), pair[1].GetString()));
                    }
                }
            }

            return pairs;
        }

        /// <summary>Reads the response headers {name: [values]} as one pair per value.</summary>
        internal static List<KeyValuePair<string, string>> ReadHeaderValues(JsonElement response)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (response.TryGetProperty("headers", out JsonElement headers) && headers.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty header in headers.EnumerateObject())
                {
                    if (header.Value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (JsonElement value in header.Value.EnumerateArray())
                        {
                            pairs.Add(new KeyValuePair<string, string>(header.Name, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()));
                        }
                    }
                    else
                    {
                        pairs.Add(new KeyValuePair<string, string>(header.Name, header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString() : header.Value.GetRawText()));
                    }
                }
            }

            return pairs;
        }

        private static string GetRawText(JsonElement element, string name)
        {
            return element.TryGetProperty(name, out JsonElement member) && member.ValueKind != JsonValueKind.Null
                ? member.GetRawText()
                : null;
        }

        /// <summary>Writes an outcome's warnings, output or error; returns a terminating error for the caller to throw.</summary>
        internal static ErrorRecord Report(
            PSCmdlet cmdlet, ProvisionCommand command, IDictionary<string, object> boundParameters, CallOutcome outcome)
        {
            foreach (string warning in outcome.GetWarnings())
            {
                cmdlet.WriteWarning(warning);
            }

            Dictionary<string, string[]> headers = outcome.GetResponseHeaders();
            // Verbose text is written only when verbose output is on: with -Debug alone, PowerShell would otherwise
            // ask for confirmation before each verbose line.
            if (headers != null && PreferenceCheck.IsEnabled(cmdlet, "Verbose", "VerbosePreference"))
            {
                int attempts = outcome.GetAttempts();
                cmdlet.WriteVerbose(string.Format(
                    "{0} {1} answered {2} {3}{4}.",
                    CallOutcome.GetString(outcome.Request, "method"),
                    CallOutcome.GetString(outcome.Request, "uri"),
                    CallOutcome.GetInt32(outcome.Response, "statusCode"),
                    CallOutcome.GetString(outcome.Response, "reasonPhrase"),
                    attempts > 1 ? " after " + attempts + " attempts" : string.Empty));
            }

            if (headers != null)
            {
                SetResponseHeadersVariable(cmdlet, boundParameters, headers);
            }

            if (outcome.Status == MgStatus.Ok)
            {
                StringKeyStringValuePair result = outcome.GetResult();
                if (result != null)
                {
                    var output = new PSObject(result);
                    output.TypeNames.Insert(0, command.ResultInterfaceName);
                    output.TypeNames.Insert(0, command.ResultTypeName);
                    cmdlet.WriteObject(output);
                    return null;
                }
            }

            if (outcome.Status == MgStatus.Cancelled && cmdlet.Stopping)
            {
                throw new PipelineStoppedException();
            }

            ErrorRecord record = ErrorRecords.FromOutcome(outcome, command, boundParameters, out bool terminating);
            if (terminating)
            {
                return record;
            }

            cmdlet.WriteError(record);
            return null;
        }

        /// <summary>
        /// Sets -ResponseHeadersVariable in the caller's scope. A script function's <c>SessionState</c> is its
        /// caller's session state, and that state's current scope is the caller's scope while the function runs.
        /// </summary>
        private static void SetResponseHeadersVariable(
            PSCmdlet cmdlet, IDictionary<string, object> boundParameters, Dictionary<string, string[]> headers)
        {
            if (boundParameters.TryGetValue("ResponseHeadersVariable", out object name) && name is string variableName
                && variableName.Length > 0)
            {
                cmdlet.SessionState.PSVariable.Set(variableName, headers);
            }
        }
    }
}
