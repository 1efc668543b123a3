using System;
using System.Runtime.InteropServices;

namespace MgProvisioning
{
    /// <summary>
    /// P/Invoke declarations of the sign-in exports of mg_provisioning.h. The library resolves through
    /// <see cref="NativeLibraryLoader"/> like <see cref="NativeMethods"/>.
    /// </summary>
    internal static class SignInNativeMethods
    {
        /// <summary>
        /// Creates a context that requests its own tokens. <paramref name="secret"/> points to
        /// <paramref name="secretLength"/> bytes that the library copies, so the caller zeroes its own copy after the call.
        /// </summary>
        [DllImport(NativeMethods.LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_context_new_with_credential(
            byte[] graphEndpoint, byte[] optionsJson, IntPtr secret, UIntPtr secretLength, byte[] userAgent, out MgContextHandle contextOut);

        /// <summary>Starts a sign-in call that requests a new token. Wait for it and read its outcome like any call.</summary>
        [DllImport(NativeMethods.LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern MgStatus mg_context_sign_in(MgContextHandle context, uint timeoutMs, out MgCallHandle callOut);
    }
}
