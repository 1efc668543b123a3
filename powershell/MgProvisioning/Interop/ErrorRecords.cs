using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace MgProvisioning
{
    /// <summary>
    /// An error that Graph or the connection to it reported. <see cref="Exception.Data"/> contains ErrorCode,
    /// StatusCode (an int, absent without an HTTP response), RequestId, ClientRequestId and Date, so scripts read
    /// them without parsing the message.
    /// </summary>
    public sealed class GraphRequestException : Exception
    {
        internal GraphRequestException(string message)
            : base(message)
        {
        }
    }

    /// <summary>Builds every ErrorRecord the module writes, so that ids, categories and targets live in one place.</summary>
    internal static class ErrorRecords
    {
        internal const string NotConnectedMessage = "Authentication needed. Please call Connect-MgGraph.";

        internal static ErrorRecord NotConnected()
        {
            return new ErrorRecord(
                new InvalidOperationException(NotConnectedMessage), "AuthenticationNeeded", ErrorCategory.NotSpecified, null);
        }

        /// <summary>Wraps a failure of the interop layer itself (a missing library or an unexpected native status).</summary>
        internal static ErrorRecord NativeFailure(Exception error)
        {
            string errorId = error is DllNotFoundException || error is PlatformNotSupportedException
                ? "NativeLibraryNotFound"
                : "NativeCallFailed";
            return new ErrorRecord(error, errorId, ErrorCategory.NotInstalled, null);
        }

        internal static ErrorRecord InputConversion(InputConversionException error, object target)
        {
            return new ErrorRecord(new ArgumentException(error.Message, error), "InvalidInput", ErrorCategory.InvalidArgument, target);
        }

        /// <summary>A pipeline step threw or returned something that is not a response; the message names the step.</summary>
        internal static ErrorRecord PipelineStepFailed(HttpPipelineStepException error, HttpPipelineRequest request)
        {
            return new ErrorRecord(error, "HttpPipelineStepFailed", ErrorCategory.InvalidOperation, request);
        }

        internal static ErrorRecord InvalidArgument(string message, string errorId, object target)
        {
            return new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);
        }

        /// <summary>
        /// Maps a failed outcome to an error record. <paramref name="terminating"/> reports to the caller whether to stop
        /// the command (input errors) or to write the record and go on with the next input (Graph and transport errors).
        /// </summary>
        internal static ErrorRecord FromOutcome(
            CallOutcome outcome, ProvisionCommand command, IDictionary<string, object> boundParameters, out bool terminating)
        {
            string message = CallOutcome.GetString(outcome.Error, "message") ?? outcome.StatusName;
            terminating = false;
            switch (outcome.Status)
            {
                case MgStatus.HttpError:
                    return FromHttpError(outcome, command);

                case MgStatus.MissingIdentity:
                    terminating = true;
                    return InvalidArgument(message, "MissingIdentity", GetBound(boundParameters, "InputObject"));

                case MgStatus.InvalidInput:
                    terminating = true;
                    return InvalidArgument(message, "InvalidInput", GetFieldTarget(outcome, boundParameters));

                case MgStatus.InvalidHeader:
                    terminating = true;
                    return InvalidArgument(message, "InvalidHeader", GetBound(boundParameters, "Headers"));

                case MgStatus.InvalidParameterSet:
                    terminating = true;
                    return InvalidArgument(message, "InvalidParameterSet", null);

                case MgStatus.TimedOut:
                case MgStatus.ConnectFailed:
                case MgStatus.TransportFailed:
                case MgStatus.RedirectRejected:
                    return WithData(outcome, message, outcome.Status.ToString(), ErrorCategory.ConnectionError, GetRequestTarget(outcome, command));

                case MgStatus.InvalidResponse:
                    return WithData(outcome, message, "InvalidResponse", ErrorCategory.InvalidResult, GetRequestTarget(outcome, command));

                case MgStatus.Cancelled:
                    return WithData(outcome, message, "Cancelled", ErrorCategory.OperationStopped, GetRequestTarget(outcome, command));

                default:
                    // NOTE: a panic caught by the core, or a status this module does not know, is reported
                    // without stopping the pipeline, so a loop over many subjects goes on with the next one.
                    return WithData(outcome, message, "InternalError", ErrorCategory.NotSpecified, GetRequestTarget(outcome, command));
            }
        }

        private static ErrorRecord FromHttpError(CallOutcome outcome, ProvisionCommand command)
        {
            string statusName = CallOutcome.GetString(outcome.Error, "statusName");
            string code = CallOutcome.GetString(outcome.Error, "code") ?? statusName ?? outcome.StatusName;
            string message = CallOutcome.GetString(outcome.Error, "message") ?? string.Empty;

            // Without Graph's error envelope the core reports the status name as the code and a generic message,
            // which Microsoft's module shows without the "[code] : " prefix.
            bool fromEnvelope = CallOutcome.GetBoolean(outcome.Error, "fromEnvelope") ?? !IsGenericMessage(message, statusName);
            string text = fromEnvelope ? "[" + code + "] : " + message : message;

            ErrorRecord record = WithData(outcome, text, code, ErrorCategory.InvalidOperation, GetRequestTarget(outcome, command));
            string details = CallOutcome.GetString(outcome.Error, "details");
            if (!string.IsNullOrEmpty(details))
            {
                record.ErrorDetails = new ErrorDetails(details);
            }

            return record;
        }

        private static bool IsGenericMessage(string message, string statusName)
        {
            return message == "The server responded with a Request Error, Status: " + statusName
                || message == "The server responded with a Server Error, Status: " + statusName;
        }

        private static ErrorRecord WithData(CallOutcome outcome, string message, string errorId, ErrorCategory category, object target)
        {
            var exception = new GraphRequestException(message);
            IDictionary data = exception.Data;
            data["ErrorCode"] = CallOutcome.GetString(outcome.Error, "code") ?? errorId;
            int? statusCode = CallOutcome.GetInt32(outcome.Error, "statusCode") ?? CallOutcome.GetInt32(outcome.Response, "statusCode");
            if (statusCode.HasValue)
            {
                data["StatusCode"] = statusCode.Value;
            }

            data["RequestId"] = CallOutcome.GetString(outcome.Error, "requestId");
            data["ClientRequestId"] = CallOutcome.GetString(outcome.Error, "clientRequestId") ?? CallOutcome.GetString(outcome.Request, "clientRequestId");
            data["Date"] = CallOutcome.GetString(outcome.Error, "date");
            return new ErrorRecord(exception, errorId, category, target);
        }

        /// <summary>Returns an object with the ids and the body that were sent, or null when no request was built.</summary>
        private static object GetRequestTarget(CallOutcome outcome, ProvisionCommand command)
        {
            if (outcome.Request == null)
            {
                return null;
            }

            var target = new PSObject();
            target.Properties.Add(new PSNoteProperty(command.IdParameterName, CallOutcome.GetString(outcome.Request, "id")));
            target.Properties.Add(new PSNoteProperty("SynchronizationJobId", CallOutcome.GetString(outcome.Request, "synchronizationJobId")));
            target.Properties.Add(new PSNoteProperty("Body", CallOutcome.GetValue(outcome.Request, "body")));
            return target;
        }

        /// <summary>Returns the bound parameter that the error's field path starts with, such as BodyParameter for <c>BodyParameter.parameters[0]</c>.</summary>
        private static object GetFieldTarget(CallOutcome outcome, IDictionary<string, object> boundParameters)
        {
            string field = CallOutcome.GetString(outcome.Error, "field");
            if (string.IsNullOrEmpty(field))
            {
                return null;
            }

            int end = field.IndexOfAny(new[] { '.', '[' });
            return GetBound(boundParameters, end < 0 ? field : field.Substring(0, end));
        }

        private static object GetBound(IDictionary<string, object> boundParameters, string name)
        {
            return boundParameters.TryGetValue(name, out object value) ? value : null;
        }
    }
}
