using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// Entra ID or a managed-identity endpoint rejected a sign-in. <see cref="Exception.Data"/> contains ErrorCode (such as
    /// AADSTS7000215), OAuthError, StatusCode, TraceId and CorrelationId where the response had them. The message and the
    /// data never contain the secret.
    /// </summary>
    public sealed class GraphSignInException : Exception
    {
        internal GraphSignInException(string message)
            : base(message)
        {
        }
    }

    /// <summary>Runs the core's sign-in call and turns its outcome into an error record.</summary>
    internal static class SignInCall
    {
        /// <summary>How often the wait checks for Ctrl+C.</summary>
        private const uint StopCheckIntervalMs = 100;

        /// <summary>
        /// Starts the sign-in, waits in slices of 100 ms so that Ctrl+C cancels it, and returns the outcome JSON.
        /// Throws <see cref="PipelineStoppedException"/> when the command is stopped.
        /// </summary>
        internal static string Run(PSCmdlet cmdlet, MgContextHandle context, uint timeoutMs)
        {
            MgStatus status = SignInNativeMethods.mg_context_sign_in(context, timeoutMs, out MgCallHandle call);
            if (status != MgStatus.Ok)
            {
                call.Dispose();
                throw new NativeCallException("mg_context_sign_in", status);
            }

            using (call)
            {
                while (NativeCore.Wait(call, StopCheckIntervalMs) == MgStatus.Pending)
                {
                    if (cmdlet.Stopping)
                    {
                        NativeCore.Cancel(call);
                        throw new PipelineStoppedException();
                    }
                }

                return NativeCore.ReadOutcome(call);
            }
        }

        /// <summary>Converts seconds (Connect-MgGraph -ClientTimeout) to the core's milliseconds, within what a uint holds.</summary>
        internal static uint ToTimeoutMs(double seconds)
        {
            if (double.IsNaN(seconds) || seconds <= 0)
            {
                return 1;
            }

            double milliseconds = Math.Ceiling(seconds * 1000);
            return milliseconds >= uint.MaxValue ? uint.MaxValue : (uint)milliseconds;
        }

        /// <summary>Maps a failed sign-in outcome to a terminating error record for Connect-MgGraph.</summary>
        internal static ErrorRecord ToErrorRecord(PSCmdlet cmdlet, MgStatus status, JsonElement error, SignInCredential credential)
        {
            string message = CallOutcome.GetString(error, "message") ?? NativeCore.GetStatusName(status);
            object target = credential.ClientId;
            switch (status)
            {
                case MgStatus.AuthenticationFailed:
                    return FromRejection(error, message, target);

                case MgStatus.TimedOut:
                    return new ErrorRecord(
                        new TimeoutException(message + " Raise -ClientTimeout, or check that this machine can reach the sign-in endpoint."),
                        "SignInTimedOut", ErrorCategory.OperationTimeout, target);

                case MgStatus.ConnectFailed:
                case MgStatus.TransportFailed:
                    return new ErrorRecord(new GraphSignInException(message), "SignInConnectionFailed", ErrorCategory.ConnectionError, target);

                case MgStatus.Cancelled:
                    if (cmdlet.Stopping)
                    {
                        throw new PipelineStoppedException();
                    }

                    return new ErrorRecord(new OperationCanceledException(message), "SignInCancelled", ErrorCategory.OperationStopped, target);

                default:
                    return new ErrorRecord(
                        new GraphSignInException(string.Format(CultureInfo.InvariantCulture, "{0} ({1}).", message.TrimEnd('.'), NativeCore.GetStatusName(status))),
                        "SignInFailed", ErrorCategory.NotSpecified, target);
            }
        }

        /// <summary>
        /// Builds the error for a token service's error response: Entra's AADSTS code and the first line of its
        /// description, with the trace and correlation ids that Microsoft support requests.
        /// </summary>
        private static ErrorRecord FromRejection(JsonElement error, string message, object target)
        {
            string code = CallOutcome.GetString(error, "code");
            string traceId = CallOutcome.GetString(error, "traceId");
            string correlationId = CallOutcome.GetString(error, "correlationId");

            string text = message;
            if (!string.IsNullOrEmpty(code) && text.IndexOf(code, StringComparison.Ordinal) < 0)
            {
                text = AppendSentence(text, "Error code: " + code);
            }

            // Entra puts the ids on later lines of the description, which the core leaves out; a description on one
            // line already has them.
            if (!string.IsNullOrEmpty(traceId) && text.IndexOf(traceId, StringComparison.OrdinalIgnoreCase) < 0)
            {
                text = AppendSentence(text, "Trace ID: " + traceId);
            }

            if (!string.IsNullOrEmpty(correlationId) && text.IndexOf(correlationId, StringComparison.OrdinalIgnoreCase) < 0)
            {
                text = AppendSentence(text, "Correlation ID: " + correlationId);
            }

            var exception = new GraphSignInException(text);
            IDictionary data = exception.Data;
            data["ErrorCode"] = code;
            data["OAuthError"] = CallOutcome.GetString(error, "oauthError");
            int? statusCode = CallOutcome.GetInt32(error, "statusCode");
            if (statusCode.HasValue)
            {
                data["StatusCode"] = statusCode.Value;
            }

            data["TraceId"] = traceId;
            data["CorrelationId"] = correlationId;
            return new ErrorRecord(exception, string.IsNullOrEmpty(code) ? "SignInFailed" : code, ErrorCategory.AuthenticationError, target);
        }

        private static string AppendSentence(string text, string sentence)
        {
            string trimmed = text.TrimEnd();
            return (trimmed.EndsWith(".", StringComparison.Ordinal) ? trimmed : trimmed + ".") + " " + sentence + ".";
        }
    }
}
