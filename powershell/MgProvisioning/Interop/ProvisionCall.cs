using System;
using System.Collections.Generic;
using System.Management.Automation;

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
            MgContextHandle context = GraphSession.GetContextHandle();
            if (context == null)
            {
                cmdlet.WriteError(ErrorRecords.NotConnected());
                return null;
            }

            byte[] request;
            try
            {
                request = RequestEnvelope.Build(command, cmdlet.ParameterSetName, boundParameters);
            }
            catch (InputConversionException error)
            {
                int end = error.Path.IndexOfAny(new[] { '.', '[' });
                string parameter = end < 0 ? error.Path : error.Path.Substring(0, end);
                return ErrorRecords.InputConversion(error, boundParameters.TryGetValue(parameter, out object value) ? value : null);
            }

            string outcomeJson;
            try
            {
                outcomeJson = Run(cmdlet, context, request);
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

            using (CallOutcome outcome = CallOutcome.Parse(outcomeJson))
            {
                return Report(cmdlet, command, boundParameters, outcome);
            }
        }

        private static string Run(PSCmdlet cmdlet, MgContextHandle context, byte[] request)
        {
            using (MgCallHandle call = NativeCore.StartCall(context, request))
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

        private static ErrorRecord Report(
            PSCmdlet cmdlet, ProvisionCommand command, IDictionary<string, object> boundParameters, CallOutcome outcome)
        {
            foreach (string warning in outcome.GetWarnings())
            {
                cmdlet.WriteWarning(warning);
            }

            Dictionary<string, string[]> headers = outcome.GetResponseHeaders();
            if (headers != null)
            {
                cmdlet.WriteVerbose(string.Format(
                    "{0} {1} answered {2} {3}.",
                    CallOutcome.GetString(outcome.Request, "method"),
                    CallOutcome.GetString(outcome.Request, "uri"),
                    CallOutcome.GetInt32(outcome.Response, "statusCode"),
                    CallOutcome.GetString(outcome.Response, "reasonPhrase")));
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
