using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MgProvisioning
{
    /// <summary>
    /// Finds and checks the certificates of app-only sign-in in the current user's My store, in a file or as passed.
    /// Exports the private key for the core, which signs the RS256 client assertion with it.
    /// </summary>
    internal static class SignInCertificates
    {
        /// <summary>The core signs with ring, which takes RSA keys of 2048 bits or more.</summary>
        private const int MinimumKeySize = 2048;

        /// <summary>Looks a certificate up by its SHA-1 thumbprint in CurrentUser\My and checks that it can sign in.</summary>
        internal static ErrorRecord FindByThumbprint(string thumbprint, out X509Certificate2 certificate)
        {
            certificate = null;
            string normalized = thumbprint.Trim().Replace(" ", string.Empty).Replace(":", string.Empty);
            if (normalized.Length != 40 || !IsHex(normalized))
            {
                return ErrorRecords.InvalidArgument(
                    string.Format("The -CertificateThumbprint '{0}' is not a certificate thumbprint: a thumbprint is 40 hexadecimal characters (the SHA-1 hash of the certificate).", thumbprint),
                    "InvalidCertificateThumbprint", thumbprint);
            }

            List<X509Certificate2> matches = FindInStore(X509FindType.FindByThumbprint, normalized);
            if (matches.Count == 0)
            {
                return NotFound(string.Format("No certificate with thumbprint {0} was found in {1}.", normalized.ToUpperInvariant(), DescribeStore()), thumbprint);
            }

            return Choose(matches, "The certificate", out certificate);
        }

        /// <summary>
        /// Looks a certificate up by subject in CurrentUser\My: first as a distinguished name (with <c>CN=</c> added
        /// when the name has no attribute), then as part of the subject. Of several matches, the newest usable one wins.
        /// </summary>
        internal static ErrorRecord FindBySubjectName(string subjectName, out X509Certificate2 certificate)
        {
            certificate = null;
            string name = subjectName.Trim();
            List<X509Certificate2> matches = FindInStore(X509FindType.FindBySubjectDistinguishedName, name);
            if (matches.Count == 0 && name.IndexOf('=') < 0)
            {
                matches = FindInStore(X509FindType.FindBySubjectDistinguishedName, "CN=" + name);
            }

            if (matches.Count == 0)
            {
                matches = FindInStore(X509FindType.FindBySubjectName, name.StartsWith("CN=", StringComparison.OrdinalIgnoreCase) ? name.Substring(3) : name);
            }

            if (matches.Count == 0)
            {
                return NotFound(string.Format("No certificate with the subject '{0}' was found in {1}.", name, DescribeStore()), subjectName);
            }

            return Choose(matches, "The certificate", out certificate);
        }

        /// <summary>
        /// Returns an error record when a certificate cannot sign in: no private key, a key that is not RSA of 2048 bits
        /// or more, expired or not yet valid. <paramref name="description"/> starts the message, such as "The -Certificate".
        /// </summary>
        internal static ErrorRecord CheckUsable(X509Certificate2 certificate, string description)
        {
            string name = string.Format("{0} '{1}' (thumbprint {2})", description, certificate.Subject, certificate.Thumbprint);
            DateTime now = DateTime.Now;
            if (certificate.NotAfter < now)
            {
                return new ErrorRecord(
                    new ArgumentException(string.Format(
                        CultureInfo.InvariantCulture,
                        "{0} expired on {1:yyyy-MM-dd HH:mm:ss} UTC. Renew it, upload the new certificate to the app registration, and connect with the new one.",
                        name, certificate.NotAfter.ToUniversalTime())),
                    "CertificateExpired", ErrorCategory.InvalidArgument, certificate.Thumbprint);
            }

            if (certificate.NotBefore > now)
            {
                return new ErrorRecord(
                    new ArgumentException(string.Format(
                        CultureInfo.InvariantCulture,
                        "{0} is not valid before {1:yyyy-MM-dd HH:mm:ss} UTC. Check the clock of this machine, or wait until then.",
                        name, certificate.NotBefore.ToUniversalTime())),
                    "CertificateNotYetValid", ErrorCategory.InvalidArgument, certificate.Thumbprint);
            }

            if (!certificate.HasPrivateKey)
            {
                return new ErrorRecord(
                    new ArgumentException(name + " has no private key. Import the certificate together with its private key, for example from a PFX file, because the key signs the sign-in request."),
                    "CertificatePrivateKeyMissing", ErrorCategory.InvalidArgument, certificate.Thumbprint);
            }

            using (RSA publicKey = certificate.GetRSAPublicKey())
            {
                if (publicKey == null)
                {
                    return new ErrorRecord(
                        new ArgumentException(name + " does not have an RSA key. App-only sign-in signs with RS256, so use a certificate with an RSA key of 2048 bits or more."),
                        "CertificateKeyNotSupported", ErrorCategory.InvalidArgument, certificate.Thumbprint);
                }

                if (publicKey.KeySize < MinimumKeySize)
                {
                    return new ErrorRecord(
                        new ArgumentException(string.Format("{0} has an RSA key of {1} bits. Use a certificate with an RSA key of {2} bits or more.", name, publicKey.KeySize, MinimumKeySize)),
                        "CertificateKeyTooSmall", ErrorCategory.InvalidArgument, certificate.Thumbprint);
                }
            }

            return null;
        }

        /// <summary>
        /// Loads AZURE_CLIENT_CERTIFICATE_PATH: a PEM file with the certificate and its private key (encrypted when a
        /// password is given), or a PFX file. The error never contains the password.
        /// </summary>
        internal static ErrorRecord LoadFile(string path, string password, out X509Certificate2 certificate)
        {
            certificate = null;
            string fullPath;
            try
            {
                fullPath = Path.GetFullPath(path);
            }
            catch (Exception error) when (error is ArgumentException || error is NotSupportedException || error is PathTooLongException)
            {
                return ErrorRecords.InvalidArgument(
                    string.Format("{0} '{1}' is not a valid path ({2}).", SignInCredential.CertificatePathVariable, path, error.Message), "InvalidCertificatePath", path);
            }

            if (!File.Exists(fullPath))
            {
                return NotFound(
                    string.Format("The certificate file '{0}' that {1} names was not found.", fullPath, SignInCredential.CertificatePathVariable), path);
            }

            X509Certificate2 loaded;
            try
            {
                loaded = IsPem(fullPath) ? LoadPem(fullPath, password) : LoadPfx(fullPath, password);
            }
            catch (Exception error) when (error is CryptographicException || error is IOException || error is UnauthorizedAccessException || error is ArgumentException)
            {
                return new ErrorRecord(
                    new ArgumentException(string.Format(
                        "The certificate file '{0}' could not be read: {1} It must be a PEM file with the certificate and its private key, or a PFX file; set {2} when the key or the PFX file has a password.",
                        fullPath, EndSentence(error.Message), SignInCredential.CertificatePasswordVariable)),
                    "CertificateFileUnreadable", ErrorCategory.InvalidData, path);
            }

            ErrorRecord unusable = CheckUsable(loaded, "The certificate in " + fullPath);
            if (unusable != null)
            {
                loaded.Dispose();
                return unusable;
            }

            certificate = loaded;
            return null;
        }

        /// <summary>Returns the DER of the certificate's chain as base64, leaf first, as far as this machine can build it.</summary>
        internal static IEnumerable<string> BuildChain(X509Certificate2 certificate)
        {
            var chainDer = new List<string>();
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllFlags;

                // A chain that does not reach a trusted root still lists the certificates it found, leaf first.
                chain.Build(certificate);
                foreach (X509ChainElement element in chain.ChainElements)
                {
                    chainDer.Add(Convert.ToBase64String(element.Certificate.RawData));
                    element.Certificate.Dispose();
                }
            }

            if (chainDer.Count == 0)
            {
                chainDer.Add(Convert.ToBase64String(certificate.RawData));
            }

            return chainDer;
        }

        /// <summary>
        /// Exports the RSA private key as PKCS#8 DER into a pinned buffer, passes it to <paramref name="use"/>, and zeroes
        /// every copy this method made. A key whose store allows only an encrypted export (Windows CNG keys marked
        /// exportable) is exported encrypted with a random password and decrypted here.
        /// </summary>
        internal static T WithPrivateKey<T>(X509Certificate2 certificate, Func<IntPtr, int, T> use)
        {
            byte[] pkcs8 = GC.AllocateArray<byte>(16384, pinned: true);
            try
            {
                int length;
                using (RSA key = certificate.GetRSAPrivateKey())
                {
                    if (key == null)
                    {
                        throw new CertificateKeyException(string.Format(
                            "The private key of certificate '{0}' (thumbprint {1}) could not be opened. Import the certificate again with its private key.",
                            certificate.Subject, certificate.Thumbprint));
                    }

                    length = ExportPkcs8(key, pkcs8, certificate);
                }

                return use(Marshal.UnsafeAddrOfPinnedArrayElement(pkcs8, 0), length);
            }
            finally
            {
                Array.Clear(pkcs8);
            }
        }

        private static int ExportPkcs8(RSA key, byte[] destination, X509Certificate2 certificate)
        {
            try
            {
                if (key.TryExportPkcs8PrivateKey(destination, out int written))
                {
                    return written;
                }
            }
            catch (CryptographicException)
            {
                // The key does not allow a plain export; try the encrypted export below.
            }

            char[] password = GC.AllocateArray<char>(32, pinned: true);
            byte[] encrypted = null;
            try
            {
                byte[] random = RandomNumberGenerator.GetBytes(password.Length);
                for (int i = 0; i < password.Length; i++)
                {
                    password[i] = (char)('A' + (random[i] % 26));
                }

                Array.Clear(random);
                var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1);
                encrypted = key.ExportEncryptedPkcs8PrivateKey(password, parameters);
                using (RSA copy = RSA.Create())
                {
                    copy.ImportEncryptedPkcs8PrivateKey(password, encrypted, out _);
                    if (copy.TryExportPkcs8PrivateKey(destination, out int written))
                    {
                        return written;
                    }
                }

                throw new CertificateKeyException(string.Format(
                    "The private key of certificate '{0}' (thumbprint {1}) is larger than 16 KB, which no RSA key of a supported size is.",
                    certificate.Subject, certificate.Thumbprint));
            }
            catch (CryptographicException error)
            {
                throw new CertificateKeyException(string.Format(
                    "The private key of certificate '{0}' (thumbprint {1}) cannot be exported ({2}). Import the certificate again with an exportable private key.",
                    certificate.Subject, certificate.Thumbprint, error.Message.TrimEnd('.')));
            }
            finally
            {
                Array.Clear(password);
                if (encrypted != null)
                {
                    Array.Clear(encrypted);
                }
            }
        }

        private static ErrorRecord Choose(List<X509Certificate2> matches, string description, out X509Certificate2 certificate)
        {
            certificate = null;
            matches.Sort((left, right) => right.NotBefore.CompareTo(left.NotBefore));
            ErrorRecord firstError = null;
            foreach (X509Certificate2 match in matches)
            {
                if (certificate != null)
                {
                    match.Dispose();
                    continue;
                }

                ErrorRecord error = CheckUsable(match, description);
                if (error == null)
                {
                    certificate = match;
                }
                else
                {
                    firstError = firstError ?? error;
                    match.Dispose();
                }
            }

            return certificate == null ? firstError : null;
        }

        private static List<X509Certificate2> FindInStore(X509FindType findType, string value)
        {
            var found = new List<X509Certificate2>();
            using (var store = new X509Store(StoreName.My, StoreLocation.CurrentUser))
            {
                try
                {
                    store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                }
                catch (CryptographicException)
                {
                    // The store does not exist yet, so it contains no certificate.
                    return found;
                }

                X509Certificate2Collection all = store.Certificates;
                X509Certificate2Collection matches = all.Find(findType, value, validOnly: false);
                foreach (X509Certificate2 match in matches)
                {
                    found.Add(match);
                }

                foreach (X509Certificate2 other in all)
                {
                    if (!found.Contains(other))
                    {
                        other.Dispose();
                    }
                }
            }

            return found;
        }

        private static string DescribeStore()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return "the current user's certificate store (Cert:\\CurrentUser\\My)";
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return "the current user's My store (the default keychain)";
            }

            return "the current user's My store (~/.dotnet/corefx/cryptography/x509stores/my)";
        }

        private static ErrorRecord NotFound(string message, object target)
        {
            return new ErrorRecord(
                new ItemNotFoundException(message + " Import the certificate with its private key there, or pass it with -Certificate."),
                "CertificateNotFound", ErrorCategory.ObjectNotFound, target);
        }

        private static bool IsHex(string text)
        {
            foreach (char c in text)
            {
                if (!Uri.IsHexDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsPem(string path)
        {
            using (var reader = new StreamReader(path))
            {
                char[] head = new char[256];
                int read = reader.Read(head, 0, head.Length);
                return new string(head, 0, read).Contains("-----BEGIN", StringComparison.Ordinal);
            }
        }

        private static X509Certificate2 LoadPem(string path, string password)
        {
            return string.IsNullOrEmpty(password)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password);
        }

        private static X509Certificate2 LoadPfx(string path, string password)
        {
            // An ephemeral key is never written to disk; macOS does not support it.
            X509KeyStorageFlags flags = X509KeyStorageFlags.Exportable;
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                flags |= X509KeyStorageFlags.EphemeralKeySet;
            }

            // X509CertificateLoader replaces this constructor from .NET 9 on, but PowerShell 7.4 runs on .NET 8.
#pragma warning disable SYSLIB0057
            return new X509Certificate2(path, password, flags);
#pragma warning restore SYSLIB0057
        }

        private static string EndSentence(string message)
        {
            string trimmed = (message ?? string.Empty).Trim();
            return trimmed.EndsWith(".", StringComparison.Ordinal) ? trimmed : trimmed + ".";
        }
    }

    /// <summary>The private key of a certificate could not be exported for signing.</summary>
    public sealed class CertificateKeyException : Exception
    {
        internal CertificateKeyException(string message)
            : base(message)
        {
        }
    }
}
