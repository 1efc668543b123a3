using System;
using System.Runtime.InteropServices;

namespace MgProvisioning
{
    /// <summary>
    /// Status codes of the native library (<c>MgStatus</c> in mg_provisioning.h). The values are fixed and never renumbered.
    /// </summary>
    public enum MgStatus
    {
        Ok = 7000,
        Pending = 7001,
        NullArgument = 7100,
        InvalidUtf8 = 7101,
        InvalidRequestJson = 7102,
        InvalidParameterSet = 7103,
        MissingIdentity = 7104,
        InvalidInput = 7105,
        InvalidHeader = 7106,
        InvalidEndpoint = 7107,
        InsecureEndpoint = 7108,
        InvalidToken = 7109,
        Cancelled = 7200,
        TimedOut = 7201,
        ConnectFailed = 7202,
        TransportFailed = 7203,
        RedirectRejected = 7204,
        HttpError = 7300,
        InvalidResponse = 7400,
        Panic = 7500,
        Internal = 7501,
        AuthenticationFailed = 7600,
        InvalidCredential = 7601,
    }

    /// <summary>An owned <c>MgContext *</c>, released with <c>mg_context_free</c>.</summary>
    internal sealed class MgContextHandle : SafeHandle
    {
        public MgContextHandle() : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.mg_context_free(handle);
            return true;
        }
    }

    /// <summary>An owned <c>MgCall *</c>, released with <c>mg_call_free</c> (which also cancels a running call).</summary>
    internal sealed class MgCallHandle : SafeHandle
    {
        public MgCallHandle() : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.mg_call_free(handle);
            return true;
        }
    }

    /// <summary>
    /// P/Invoke declarations for every export of mg_provisioning.h. Strings go in as NUL-terminated UTF-8 byte
    /// arrays and come out as pointers that the caller must pass to <c>mg_string_free</c>. Only
    /// <see cref="NativeCore"/> calls these, so that status checks live in one place.
    /// </summary>
    internal static class NativeMethods
    {
        internal const string LibraryName = "mg_provisioning";

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_context_new(
            byte[] graphEndpoint, IntPtr accessToken, byte[] userAgent, out MgContextHandle contextOut);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void mg_context_free(IntPtr context);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_call_start(MgContextHandle context, byte[] requestJson, out MgCallHandle callOut);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_call_wait(MgCallHandle call, uint timeoutMs);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_call_outcome(MgCallHandle call, out IntPtr outcomeJsonOut);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_call_progress(MgCallHandle call, out IntPtr progressJsonOut);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_call_cancel(MgCallHandle call);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void mg_call_free(IntPtr call);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void mg_string_free(IntPtr text);
    }
}
