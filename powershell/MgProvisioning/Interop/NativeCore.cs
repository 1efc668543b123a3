using System;
using System.Runtime.InteropServices;
using System.Text;

namespace MgProvisioning
{
    /// <summary>A native function returned a status that the caller cannot turn into an outcome.</summary>
    public sealed class NativeCallException : Exception
    {
        internal NativeCallException(string function, MgStatus status)
            : base(string.Format("{0} failed with {1} ({2}).", function, NativeCore.GetStatusName(status), (int)status))
        {
            Function = function;
            Status = status;
        }

        /// <summary>The name of the native function that failed.</summary>
        public string Function { get; }

        /// <summary>The status the function returned.</summary>
        public MgStatus Status { get; }
    }

    /// <summary>
    /// The one place that calls <see cref="NativeMethods"/>: it loads the library, converts strings to and from
    /// UTF-8 and turns every status other than the expected ones into a <see cref="NativeCallException"/>.
    /// </summary>
    internal static class NativeCore
    {
        /// <summary>Returns the C header's name of a status, such as <c>MG_STATUS_INVALID_INPUT</c>.</summary>
        internal static string GetStatusName(MgStatus status)
        {
            string name = status.ToString();
            var builder = new StringBuilder("MG_STATUS", name.Length + 16);
            for (int i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToUpperInvariant(name[i]));
            }

            return builder.ToString();
        }

        /// <summary>Encodes a string as NUL-terminated UTF-8.</summary>
        internal static byte[] ToUtf8(string text)
        {
            byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        /// <summary>
        /// Creates a context. <paramref name="accessToken"/> points to NUL-terminated UTF-8 that the caller owns and zeroes.
        /// Returns the status so that Connect-MgGraph can explain the three argument statuses in its own words.
        /// </summary>
        internal static MgStatus CreateContext(string graphEndpoint, IntPtr accessToken, string userAgent, out MgContextHandle context)
        {
            NativeLibraryLoader.EnsureLoaded();
            MgStatus status = NativeMethods.mg_context_new(ToUtf8(graphEndpoint), accessToken, ToUtf8(userAgent), out context);
            if (status != MgStatus.Ok)
            {
                context.Dispose();
                context = null;
            }

            return status;
        }

        /// <summary>Starts a call. A request that fails validation still returns a call whose outcome contains the error.</summary>
        internal static MgCallHandle StartCall(MgContextHandle context, byte[] requestJson)
        {
            MgStatus status = NativeMethods.mg_call_start(context, requestJson, out MgCallHandle call);
            if (status != MgStatus.Ok)
            {
                call.Dispose();
                throw new NativeCallException("mg_call_start", status);
            }

            return call;
        }

        /// <summary>Waits up to <paramref name="timeoutMs"/> and returns Pending or the call's final status.</summary>
        internal static MgStatus Wait(MgCallHandle call, uint timeoutMs)
        {
            MgStatus status = NativeMethods.mg_call_wait(call, timeoutMs);
            if (status >= MgStatus.NullArgument && status <= MgStatus.InvalidRequestJson)
            {
                throw new NativeCallException("mg_call_wait", status);
            }

            return status;
        }

        /// <summary>Returns the outcome JSON of a finished call.</summary>
        internal static string ReadOutcome(MgCallHandle call)
        {
            MgStatus status = NativeMethods.mg_call_outcome(call, out IntPtr outcome);
            if (status != MgStatus.Ok)
            {
                throw new NativeCallException("mg_call_outcome", status);
            }

            try
            {
                return Marshal.PtrToStringUTF8(outcome);
            }
            finally
            {
                NativeMethods.mg_string_free(outcome);
            }
        }

        /// <summary>Returns the progress JSON of a call: its phase, the attempt and, during a wait, the seconds left.</summary>
        internal static string ReadProgress(MgCallHandle call)
        {
            MgStatus status = NativeMethods.mg_call_progress(call, out IntPtr progress);
            if (status != MgStatus.Ok)
            {
                throw new NativeCallException("mg_call_progress", status);
            }

            try
            {
                return Marshal.PtrToStringUTF8(progress);
            }
            finally
            {
                NativeMethods.mg_string_free(progress);
            }
        }

        /// <summary>Cancels a running call; a finished call is left alone.</summary>
        internal static void Cancel(MgCallHandle call)
        {
            MgStatus status = NativeMethods.mg_call_cancel(call);
            if ((status >= MgStatus.NullArgument && status <= MgStatus.InvalidRequestJson) || status >= MgStatus.Panic)
            {
                throw new NativeCallException("mg_call_cancel", status);
            }
        }
    }
}
