using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// A credential from which the native core requests tokens: a client secret, a certificate or a managed identity,
    /// with what Get-MgContext shows about it. The secret is not copied when the credential is built: it stays in the
    /// SecureString, the certificate or the environment until <see cref="WithSecret"/> encodes it into a pinned buffer
    /// for the one native call that copies it, and zeroes that buffer afterwards.
    /// </summary>
    public sealed class SignInCredential : IDisposable
    {
        internal const string IdentityEndpointVariable = "IDENTITY_ENDPOINT";
        internal const string IdentityHeaderVariable = "IDENTITY_HEADER";
        internal const string ClientIdVariable = "AZURE_CLIENT_ID";
        internal const string TenantIdVariable = "AZURE_TENANT_ID";
        internal const string ClientSecretVariable = "AZURE_CLIENT_SECRET";
        internal const string CertificatePathVariable = "AZURE_CLIENT_CERTIFICATE_PATH";
        internal const string CertificatePasswordVariable = "AZURE_CLIENT_CERTIFICATE_PASSWORD";
        internal const string SendChainVariable = "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN";

        private SecureString _secureSecret;
        private string _secretVariable;
        private X509Certificate2 _certificate;
        private bool _ownsCertificate;

        private SignInCredential()
        {
        }

        /// <summary><c>clientSecret</c>, <c>certificate</c> or <c>managedIdentity</c>: the core's credential kind.</summary>
        internal string Kind { get; private set; }

        /// <summary>AppOnly, ManagedIdentity or EnvironmentVariable.</summary>
        internal string AuthType { get; private set; }

        /// <summary>ClientSecret, ClientCertificate, ManagedIdentity or EnvironmentCredential.</summary>
        internal string TokenCredentialType { get; private set; }

        internal string ClientId { get; private set; }

        internal string TenantId { get; private set; }

        internal string CertificateThumbprint { get; private set; }

        internal string CertificateSubjectName { get; private set; }

        internal bool SendCertificateChain { get; private set; }

        /// <summary>The client id of a user-assigned managed identity, or null for the system-assigned one.</summary>
        internal string ManagedIdentityId { get; private set; }

        /// <summary>The App Service style token endpoint (IDENTITY_ENDPOINT) of a managed identity.</summary>
        internal string IdentityEndpoint { get; private set; }

        /// <summary>
        /// Builds a client-secret credential. The credential's user name is the client id and its password the secret.
        /// Returns an error record, or null and the credential.
        /// </summary>
        public static ErrorRecord FromClientSecret(PSCredential credential, string tenantId, out SignInCredential result)
        {
            result = null;
            if (credential == null || string.IsNullOrWhiteSpace(credential.UserName))
            {
                return ErrorRecords.InvalidArgument(
                    "The -ClientSecretCredential has no user name. Pass a PSCredential whose user name is the application (client) id and whose password is the client secret.",
                    "ClientIdMissing", null);
            }

            if (credential.Password == null || credential.Password.Length == 0)
            {
                return ErrorRecords.InvalidArgument(
                    string.Format("The -ClientSecretCredential for client '{0}' has an empty password. Pass the client secret as the credential's password.", credential.UserName),
                    "ClientSecretMissing", null);
            }

            ErrorRecord tenantError = CheckTenant(tenantId, "-TenantId");
            if (tenantError != null)
            {
                return tenantError;
            }

            result = new SignInCredential
            {
                Kind = "clientSecret",
                AuthType = "AppOnly",
                TokenCredentialType = "ClientSecret",
                ClientId = credential.UserName.Trim(),
                TenantId = tenantId.Trim(),
                _secureSecret = credential.Password,
            };
            return null;
        }

        /// <summary>
        /// Builds a certificate credential from -Certificate, or else from the current user's My store by thumbprint,
        /// or else by subject name. Returns an error record for a missing, expired or
        /// key-less certificate, or null and the credential.
        /// </summary>
        public static ErrorRecord FromCertificate(
            string clientId, string tenantId, X509Certificate2 certificate, string thumbprint, string subjectName, bool sendCertificateChain,
            out SignInCredential result)
        {
            result = null;
            ErrorRecord error = CheckClientId(clientId, "-ClientId") ?? CheckTenant(tenantId, "-TenantId");
            if (error != null)
            {
                return error;
            }

            bool owned = certificate == null;
            if (certificate == null)
            {
                if (!string.IsNullOrWhiteSpace(thumbprint))
                {
                    error = SignInCertificates.FindByThumbprint(thumbprint, out certificate);
                }
                else if (!string.IsNullOrWhiteSpace(subjectName))
                {
                    error = SignInCertificates.FindBySubjectName(subjectName, out certificate);
                }
                else
                {
                    error = ErrorRecords.InvalidArgument(
                        "App-only sign-in with -ClientId needs a certificate. Pass -CertificateThumbprint, -CertificateSubjectName or -Certificate, or use -ClientSecretCredential for a client secret.",
                        "CertificateMissing", null);
                }

                if (error != null)
                {
                    return error;
                }
            }
            else
            {
                error = SignInCertificates.CheckUsable(certificate, "The -Certificate");
                if (error != null)
                {
                    return error;
                }
            }

            result = new SignInCredential
            {
                Kind = "certificate",
                AuthType = "AppOnly",
                TokenCredentialType = "ClientCertificate",
                ClientId = clientId.Trim(),
                TenantId = tenantId.Trim(),
                CertificateThumbprint = certificate.Thumbprint,
                CertificateSubjectName = certificate.Subject,
                SendCertificateChain = sendCertificateChain,
                _certificate = certificate,
                _ownsCertificate = owned,
            };
            return null;
        }

        /// <summary>
        /// Builds a managed-identity credential from IDENTITY_ENDPOINT and IDENTITY_HEADER, which App Service and Azure
        /// Functions set. <paramref name="clientId"/> selects a user-assigned identity. Returns an error record naming the
        /// missing variables, or null and the credential.
        /// </summary>
        public static ErrorRecord FromManagedIdentity(string clientId, out SignInCredential result)
        {
            result = null;
            string endpoint = Environment.GetEnvironmentVariable(IdentityEndpointVariable);
            bool headerSet = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(IdentityHeaderVariable));
            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(endpoint))
            {
                missing.Add(IdentityEndpointVariable);
            }

            if (!headerSet)
            {
                missing.Add(IdentityHeaderVariable);
            }

            if (missing.Count > 0)
            {
                return new ErrorRecord(
                    new InvalidOperationException(string.Format(
                        "Managed identity sign-in needs the environment variables {0} and {1}, which App Service and Azure Functions set for an app with a managed identity. Not set: {2}. Run the script there, or sign in with a client secret or a certificate.",
                        IdentityEndpointVariable, IdentityHeaderVariable, string.Join(", ", missing))),
                    "ManagedIdentityUnavailable", ErrorCategory.ObjectNotFound, null);
            }

            endpoint = endpoint.Trim();
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                return ErrorRecords.InvalidArgument(
                    string.Format("{0} '{1}' is not an absolute http or https URL.", IdentityEndpointVariable, endpoint),
                    "InvalidIdentityEndpoint", endpoint);
            }

            // The instance metadata service speaks another protocol, and this module never sends anything to it.
            if (uri.Host == "169.254.169.254")
            {
                return ErrorRecords.InvalidArgument(
                    string.Format(
                        "{0} '{1}' is the instance metadata service, which this module does not use. Managed identity works with the App Service style endpoint that App Service and Azure Functions set in {0}.",
                        IdentityEndpointVariable, endpoint),
                    "InvalidIdentityEndpoint", endpoint);
            }

            string userAssigned = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim();
            result = new SignInCredential
            {
                Kind = "managedIdentity",
                AuthType = "ManagedIdentity",
                TokenCredentialType = "ManagedIdentity",
                ClientId = userAssigned,
                ManagedIdentityId = userAssigned,
                IdentityEndpoint = endpoint,
                _secretVariable = IdentityHeaderVariable,
            };
            return null;
        }

        /// <summary>
        /// Builds a credential from the environment variables that Azure.Identity's EnvironmentCredential reads:
        /// AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET, or with AZURE_CLIENT_CERTIFICATE_PATH (a PEM
        /// file with the private key, or a PFX file) and AZURE_CLIENT_CERTIFICATE_PASSWORD. A secret wins when both are
        /// set. Returns an error record naming what is missing, or null and the credential.
        /// </summary>
        public static ErrorRecord FromEnvironmentVariables(out SignInCredential result)
        {
            result = null;
            string clientId = Environment.GetEnvironmentVariable(ClientIdVariable);
            string tenantId = Environment.GetEnvironmentVariable(TenantIdVariable);
            bool secretSet = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ClientSecretVariable));
            string certificatePath = Environment.GetEnvironmentVariable(CertificatePathVariable);

            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(clientId))
            {
                missing.Add(ClientIdVariable);
            }

            if (string.IsNullOrWhiteSpace(tenantId))
            {
                missing.Add(TenantIdVariable);
            }

            if (!secretSet && string.IsNullOrWhiteSpace(certificatePath))
            {
                missing.Add(ClientSecretVariable + " or " + CertificatePathVariable);
            }

            if (missing.Count > 0)
            {
                string userPassword = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AZURE_USERNAME"))
                    ? " AZURE_USERNAME and AZURE_PASSWORD (user name and password sign-in) are not supported."
                    : string.Empty;
                return new ErrorRecord(
                    new InvalidOperationException(string.Format(
                        "-EnvironmentVariable sign-in needs the environment variables {0}, {1}, and {2} or {3}. Not set: {4}.{5}",
                        ClientIdVariable, TenantIdVariable, ClientSecretVariable, CertificatePathVariable, string.Join(", ", missing), userPassword)),
                    "EnvironmentVariableMissing", ErrorCategory.ObjectNotFound, null);
            }

            ErrorRecord error = CheckTenant(tenantId, TenantIdVariable);
            if (error != null)
            {
                return error;
            }

            var credential = new SignInCredential
            {
                AuthType = "EnvironmentVariable",
                TokenCredentialType = "EnvironmentCredential",
                ClientId = clientId.Trim(),
                TenantId = tenantId.Trim(),
            };

            if (secretSet)
            {
                credential.Kind = "clientSecret";
                credential._secretVariable = ClientSecretVariable;
                result = credential;
                return null;
            }

            error = SignInCertificates.LoadFile(certificatePath.Trim(), Environment.GetEnvironmentVariable(CertificatePasswordVariable), out X509Certificate2 certificate);
            if (error != null)
            {
                return error;
            }

            credential.Kind = "certificate";
            credential.CertificateThumbprint = certificate.Thumbprint;
            credential.CertificateSubjectName = certificate.Subject;
            credential.SendCertificateChain = IsTrue(Environment.GetEnvironmentVariable(SendChainVariable));
            credential._certificate = certificate;
            credential._ownsCertificate = true;
            result = credential;
            return null;
        }

        /// <summary>Releases a certificate that this credential loaded itself, and leaves a certificate the caller passed alone.</summary>
        public void Dispose()
        {
            if (_ownsCertificate)
            {
                _certificate?.Dispose();
            }

            _certificate = null;
            _secureSecret = null;
        }

        /// <summary>Writes the core's credential options as NUL-terminated UTF-8 JSON. The options never hold the secret.</summary>
        internal byte[] WriteOptions(string authorityEndpoint)
        {
            using (var stream = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writer.WriteString("kind", Kind);
                    writer.WriteString("authorityEndpoint", authorityEndpoint);
                    WriteOptional(writer, "tenantId", TenantId);
                    WriteOptional(writer, "clientId", ClientId);
                    if (Kind == "certificate")
                    {
                        writer.WriteString("certificateDer", Convert.ToBase64String(_certificate.RawData));
                        writer.WriteBoolean("sendCertificateChain", SendCertificateChain);
                        if (SendCertificateChain)
                        {
                            writer.WriteStartArray("chainDer");
                            foreach (string element in SignInCertificates.BuildChain(_certificate))
                            {
                                writer.WriteStringValue(element);
                            }

                            writer.WriteEndArray();
                        }
                    }

                    WriteOptional(writer, "identityEndpoint", IdentityEndpoint);
                    writer.WriteEndObject();
                }

                stream.WriteByte(0);
                return stream.ToArray();
            }
        }

        /// <summary>
        /// Encodes the secret into a pinned buffer, passes its address and length to <paramref name="use"/>, and zeroes
        /// every buffer it made before returning, also when <paramref name="use"/> throws. The secret is the client
        /// secret as UTF-8, the private key as PKCS#8 DER, or the IDENTITY_HEADER value.
        /// </summary>
        internal T WithSecret<T>(Func<IntPtr, int, T> use)
        {
            if (_certificate != null)
            {
                return SignInCertificates.WithPrivateKey(_certificate, use);
            }

            char[] chars = _secureSecret != null ? CopyToPinnedChars(_secureSecret) : ReadVariable(_secretVariable);
            byte[] bytes = null;
            try
            {
                bytes = GC.AllocateArray<byte>(Math.Max(1, Encoding.UTF8.GetByteCount(chars)), pinned: true);
                int length = Encoding.UTF8.GetBytes(chars, 0, chars.Length, bytes, 0);
                return use(Marshal.UnsafeAddrOfPinnedArrayElement(bytes, 0), length);
            }
            finally
            {
                Array.Clear(chars);
                if (bytes != null)
                {
                    Array.Clear(bytes);
                }
            }
        }

        private static char[] CopyToPinnedChars(SecureString secret)
        {
            char[] chars = GC.AllocateArray<char>(secret.Length, pinned: true);
            IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secret);
            try
            {
                Marshal.Copy(unmanaged, chars, 0, chars.Length);
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
            }

            return chars;
        }

        /// <summary>
        /// Copies an environment variable into a pinned array. The process environment itself keeps the value as a
        /// string, which this module cannot clear.
        /// </summary>
        private static char[] ReadVariable(string name)
        {
            string value = Environment.GetEnvironmentVariable(name) ?? string.Empty;
            char[] chars = GC.AllocateArray<char>(value.Length, pinned: true);
            value.CopyTo(0, chars, 0, value.Length);
            return chars;
        }

        private static void WriteOptional(Utf8JsonWriter writer, string name, string value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                writer.WriteString(name, value);
            }
        }

        private static bool IsTrue(string value)
        {
            return value != null && (value.Trim() == "1" || string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase));
        }

        private static ErrorRecord CheckClientId(string clientId, string source)
        {
            if (string.IsNullOrWhiteSpace(clientId))
            {
                return ErrorRecords.InvalidArgument(
                    string.Format("{0} is missing. Pass the application (client) id of the app registration.", source), "ClientIdMissing", null);
            }

            return null;
        }

        /// <summary>Checks a tenant id or domain name the way the core does, so the error can name its source.</summary>
        private static ErrorRecord CheckTenant(string tenantId, string source)
        {
            if (string.IsNullOrWhiteSpace(tenantId))
            {
                return ErrorRecords.InvalidArgument(
                    string.Format(CultureInfo.InvariantCulture, "{0} is missing. App-only sign-in needs the tenant id or a verified domain, such as contoso.onmicrosoft.com.", source),
                    "TenantIdMissing", null);
            }

            foreach (char c in tenantId.Trim())
            {
                bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
                if (!allowed)
                {
                    return ErrorRecords.InvalidArgument(
                        string.Format("{0} '{1}' is not a tenant id or domain name. Pass a GUID or a domain such as contoso.onmicrosoft.com.", source, tenantId),
                        "InvalidTenantId", tenantId);
                }
            }

            return null;
        }
    }
}
