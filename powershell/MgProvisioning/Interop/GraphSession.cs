using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// The process-wide session: the environments (built-in and user-defined) and the one native context that
    /// Connect-MgGraph creates. Every runspace of the process shares them, as Microsoft's module does for
    /// ContextScope Process.
    /// </summary>
    public static class GraphSession
    {
        private const string BuiltInType = "Built-in";
        private const string UserDefinedType = "User-defined";

        private static readonly object Gate = new object();

        private static readonly GraphEnvironment[] BuiltInEnvironments =
        {
            new GraphEnvironment("Global", "https://login.microsoftonline.com", "https://graph.microsoft.com", BuiltInType),
            new GraphEnvironment("USGov", "https://login.microsoftonline.us", "https://graph.microsoft.us", BuiltInType),
            new GraphEnvironment("USGovDoD", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us", BuiltInType),
            new GraphEnvironment("China", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", BuiltInType),
            new GraphEnvironment("BleuCloud", "https://login.sovcloud-identity.fr", "https://graph.svc.sovcloud.fr", BuiltInType),
            new GraphEnvironment("DelosCloud", "https://login.sovcloud-identity.de", "https://graph.svc.sovcloud.de", BuiltInType),
            new GraphEnvironment("GovSGCloud", "https://login.sovcloud-identity.sg", "https://graph.svc.sovcloud.sg", BuiltInType),
        };

        private static readonly List<GraphEnvironment> UserDefinedEnvironments = new List<GraphEnvironment>();

        private static MgContextHandle _context;
        private static GraphContext _contextInfo;

        /// <summary>Returns the built-in environments followed by the user-defined ones.</summary>
        public static GraphEnvironment[] GetEnvironments()
        {
            lock (Gate)
            {
                var all = new List<GraphEnvironment>(BuiltInEnvironments);
                all.AddRange(UserDefinedEnvironments);
                return all.ToArray();
            }
        }

        /// <summary>Returns the environment with this name (compared without regard to case), or null.</summary>
        public static GraphEnvironment FindEnvironment(string name)
        {
            foreach (GraphEnvironment environment in GetEnvironments())
            {
                if (string.Equals(environment.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return environment;
                }
            }

            return null;
        }

        /// <summary>
        /// Checks a user-defined environment before Add-MgEnvironment asks for confirmation. Returns an error record
        /// for a built-in name or an endpoint that is not an absolute http or https URL, else null and the environment.
        /// </summary>
        public static ErrorRecord NewEnvironment(string name, string graphEndpoint, string azureADEndpoint, out GraphEnvironment environment)
        {
            environment = null;
            if (string.IsNullOrWhiteSpace(name))
            {
                return ErrorRecords.InvalidArgument("The environment name is empty. Pass a name such as 'Emulator'.", "InvalidEnvironmentName", name);
            }

            foreach (GraphEnvironment builtIn in BuiltInEnvironments)
            {
                if (string.Equals(builtIn.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return ErrorRecords.InvalidArgument(
                        string.Format("'{0}' is a built-in environment and cannot be replaced. Choose another name.", name),
                        "BuiltInEnvironment", name);
                }
            }

            string error = CheckEndpoint("GraphEndpoint", graphEndpoint) ?? CheckEndpoint("AzureADEndpoint", azureADEndpoint);
            if (error != null)
            {
                return ErrorRecords.InvalidArgument(error, "InvalidEndpoint", name);
            }

            environment = new GraphEnvironment(name, azureADEndpoint.TrimEnd('/'), graphEndpoint.TrimEnd('/'), UserDefinedType);
            return null;
        }

        /// <summary>Adds a user-defined environment, replacing one with the same name.</summary>
        public static void SetEnvironment(GraphEnvironment environment)
        {
            lock (Gate)
            {
                UserDefinedEnvironments.RemoveAll(existing => string.Equals(existing.Name, environment.Name, StringComparison.OrdinalIgnoreCase));
                UserDefinedEnvironments.Add(environment);
            }
        }

        /// <summary>
        /// Checks that Remove-MgEnvironment can remove an environment before it asks for confirmation. Returns an
        /// error record for a built-in or unknown name, else null.
        /// </summary>
        public static ErrorRecord TestRemovable(string name)
        {
            GraphEnvironment environment = FindEnvironment(name);
            if (environment != null && environment.Type == UserDefinedType)
            {
                return null;
            }

            string message = environment != null
                ? string.Format("'{0}' is a built-in environment and cannot be removed.", environment.Name)
                : string.Format("The environment '{0}' was not found. Run Get-MgEnvironment to list the environments.", name);
            string errorId = environment != null ? "BuiltInEnvironment" : "EnvironmentNotFound";
            return new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, name);
        }

        /// <summary>Removes a user-defined environment; an unknown name is ignored. Returns whether one was removed.</summary>
        public static bool RemoveEnvironment(string name)
        {
            lock (Gate)
            {
                return UserDefinedEnvironments.RemoveAll(existing => string.Equals(existing.Name, name, StringComparison.OrdinalIgnoreCase)) > 0;
            }
        }

        /// <summary>Returns what Get-MgContext shows, or null when not connected.</summary>
        public static GraphContext GetContext()
        {
            lock (Gate)
            {
                return _contextInfo;
            }
        }

        internal static MgContextHandle GetContextHandle()
        {
            lock (Gate)
            {
                return _context;
            }
        }

        /// <summary>
        /// Creates the native context for an environment and an access token, replacing the current one.
        /// The token is copied into pinned buffers that are zeroed before this method returns, so no managed string
        /// ever contains it. Returns an error record (for the caller to throw) or null and the new context's details.
        /// </summary>
        public static ErrorRecord Connect(string environmentName, SecureString accessToken, string userAgent, Version hostVersion, out GraphContext context)
        {
            context = null;
            GraphEnvironment environment = FindEnvironment(environmentName);
            if (environment == null)
            {
                return EnvironmentNotFound(environmentName);
            }

            char[] tokenChars = CopyToPinnedChars(accessToken);
            byte[] tokenUtf8 = null;
            try
            {
                var info = new GraphContext
                {
                    AuthType = "UserProvidedAccessToken",
                    TokenCredentialType = "UserProvidedAccessToken",
                    ContextScope = "Process",
                    Environment = environment.Name,
                    PSHostVersion = hostVersion,
                };
                DateTimeOffset? expires = ReadClaims(tokenChars, info);
                if (expires.HasValue && expires.Value <= DateTimeOffset.UtcNow)
                {
                    return new ErrorRecord(
                        new ArgumentException(string.Format(
                            CultureInfo.InvariantCulture,
                            "The access token expired at {0:yyyy-MM-dd HH:mm:ss} UTC. Get a new token and run Connect-MgGraph again.",
                            expires.Value.UtcDateTime)),
                        "TokenExpired", ErrorCategory.AuthenticationError, null);
                }

                tokenUtf8 = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(tokenChars) + 1, pinned: true);
                Encoding.UTF8.GetBytes(tokenChars, 0, tokenChars.Length, tokenUtf8, 0);

                MgStatus status;
                MgContextHandle handle;
                try
                {
                    status = NativeCore.CreateContext(
                        environment.GraphEndpoint, Marshal.UnsafeAddrOfPinnedArrayElement(tokenUtf8, 0), userAgent, out handle);
                }
                catch (Exception error) when (error is DllNotFoundException || error is PlatformNotSupportedException || error is EntryPointNotFoundException)
                {
                    return ErrorRecords.NativeFailure(error);
                }

                if (status != MgStatus.Ok)
                {
                    return ContextError(status, environment);
                }

                Install(handle, info);
                context = info;
                return null;
            }
            finally
            {
                Array.Clear(tokenChars);
                if (tokenUtf8 != null)
                {
                    Array.Clear(tokenUtf8);
                }
            }
        }

        /// <summary>
        /// Creates a native context that requests its own tokens with <paramref name="credential"/>, signs in at once so
        /// that a wrong secret or certificate fails here, and replaces the current context only when the sign-in
        /// succeeds. The secret is encoded into pinned buffers that are zeroed before this method returns. Waits up to
        /// <paramref name="timeoutSeconds"/> for the token, and stops waiting when the command is stopped (Ctrl+C).
        /// Returns an error record (for the caller to throw) or null and the new context's details.
        /// </summary>
        public static ErrorRecord ConnectWithCredential(
            PSCmdlet cmdlet, string environmentName, SignInCredential credential, string userAgent, Version hostVersion, double timeoutSeconds,
            out GraphContext context)
        {
            context = null;
            GraphEnvironment environment = FindEnvironment(environmentName);
            if (environment == null)
            {
                return EnvironmentNotFound(environmentName);
            }

            MgContextHandle handle = null;
            try
            {
                MgStatus status;
                try
                {
                    NativeLibraryLoader.EnsureLoaded();
                    byte[] options = credential.WriteOptions(environment.AzureADEndpoint);
                    byte[] graphEndpoint = NativeCore.ToUtf8(environment.GraphEndpoint);
                    byte[] agent = NativeCore.ToUtf8(userAgent);
                    status = credential.WithSecret((secret, length) =>
                    {
                        MgStatus created = SignInNativeMethods.mg_context_new_with_credential(
                            graphEndpoint, options, secret, (UIntPtr)length, agent, out MgContextHandle createdHandle);
                        handle = createdHandle;
                        return created;
                    });
                }
                catch (Exception error) when (error is DllNotFoundException || error is PlatformNotSupportedException || error is EntryPointNotFoundException)
                {
                    return ErrorRecords.NativeFailure(error);
                }
                catch (CertificateKeyException error)
                {
                    return new ErrorRecord(error, "CertificatePrivateKeyUnavailable", ErrorCategory.InvalidArgument, credential.CertificateThumbprint);
                }

                if (status != MgStatus.Ok)
                {
                    return CredentialContextError(status, environment, credential);
                }

                cmdlet.WriteVerbose(DescribeSignIn(environment, credential));
                string outcomeJson = SignInCall.Run(cmdlet, handle, SignInCall.ToTimeoutMs(timeoutSeconds));
                using (JsonDocument outcome = JsonDocument.Parse(outcomeJson))
                {
                    JsonElement root = outcome.RootElement;
                    var outcomeStatus = (MgStatus)root.GetProperty("status").GetInt32();
                    if (outcomeStatus != MgStatus.Ok)
                    {
                        JsonElement error = root.TryGetProperty("error", out JsonElement found) ? found : default;
                        return SignInCall.ToErrorRecord(cmdlet, outcomeStatus, error, credential);
                    }

                    GraphContext info = NewCredentialContext(environment, credential, hostVersion);
                    if (root.TryGetProperty("signIn", out JsonElement signIn))
                    {
                        ReadSignIn(cmdlet, signIn, credential, info);
                    }

                    Install(handle, info);
                    handle = null;
                    context = info;
                    return null;
                }
            }
            finally
            {
                // A context that was not installed, because sign-in failed or the command was stopped, is freed here.
                handle?.Dispose();
            }
        }

        /// <summary>Frees the native context. Returns the context that was signed out of, or null when not connected.</summary>
        public static GraphContext Disconnect()
        {
            MgContextHandle previous;
            GraphContext info;
            lock (Gate)
            {
                previous = _context;
                info = _contextInfo;
                _context = null;
                _contextInfo = null;
            }

            // A call in flight holds a reference to the handle, so the native context is freed when that call returns.
            previous?.Dispose();
            return info;
        }

        /// <summary>Makes a context the current one and frees the one it replaces.</summary>
        private static void Install(MgContextHandle handle, GraphContext info)
        {
            MgContextHandle previous;
            lock (Gate)
            {
                previous = _context;
                _context = handle;
                _contextInfo = info;
            }

            // A call in flight holds a reference to the old handle, so its native context is freed when that call returns.
            previous?.Dispose();
        }

        private static ErrorRecord EnvironmentNotFound(string environmentName)
        {
            return ErrorRecords.InvalidArgument(
                string.Format("The environment '{0}' was not found. Run Get-MgEnvironment to list the environments, or add one with Add-MgEnvironment.", environmentName),
                "EnvironmentNotFound", environmentName);
        }

        private static GraphContext NewCredentialContext(GraphEnvironment environment, SignInCredential credential, Version hostVersion)
        {
            return new GraphContext
            {
                AuthType = credential.AuthType,
                TokenCredentialType = credential.TokenCredentialType,
                CertificateThumbprint = credential.CertificateThumbprint,
                CertificateSubjectName = credential.CertificateSubjectName,
                SendCertificateChain = credential.SendCertificateChain,
                ManagedIdentityId = credential.ManagedIdentityId,
                ContextScope = "Process",
                Environment = environment.Name,
                PSHostVersion = hostVersion,
            };
        }

        /// <summary>
        /// Fills the context from the sign-in outcome's claims. The client id and tenant that the caller gave win over the
        /// token's claims, which supply them for a system-assigned managed identity.
        /// </summary>
        private static void ReadSignIn(PSCmdlet cmdlet, JsonElement signIn, SignInCredential credential, GraphContext info)
        {
            if (signIn.TryGetProperty("claims", out JsonElement claims))
            {
                ReadClaims(claims, info);
            }

            info.ClientId = credential.ClientId ?? info.ClientId;
            info.TenantId = credential.TenantId ?? info.TenantId;

            string expires = "at an unknown time";
            if (signIn.TryGetProperty("expiresOn", out JsonElement expiresOn) && expiresOn.ValueKind == JsonValueKind.Number
                && expiresOn.TryGetInt64(out long seconds) && seconds > 0 && seconds < 253402300800)
            {
                expires = string.Format(CultureInfo.InvariantCulture, "at {0:yyyy-MM-dd HH:mm:ss} UTC", DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime);
            }

            string roles = info.Scopes.Length == 0 ? "no roles" : "the roles " + string.Join(", ", info.Scopes);
            cmdlet.WriteVerbose(string.Format(
                "Signed in as client '{0}' in tenant '{1}'. The token carries {2} and expires {3}. The module renews it 5 minutes before then.",
                info.ClientId, info.TenantId, roles, expires));
        }

        private static string DescribeSignIn(GraphEnvironment environment, SignInCredential credential)
        {
            if (credential.Kind == "managedIdentity")
            {
                string identity = credential.ManagedIdentityId == null ? "the system-assigned managed identity" : "the managed identity '" + credential.ManagedIdentityId + "'";
                return string.Format("Requesting a token for {0} from {1} ({2}).", identity, credential.IdentityEndpoint, environment.Name);
            }

            string with = credential.Kind == "certificate"
                ? string.Format("the certificate '{0}' (thumbprint {1})", credential.CertificateSubjectName, credential.CertificateThumbprint)
                : "a client secret";
            return string.Format(
                "Requesting a token for client '{0}' from {1}/{2}/oauth2/v2.0/token with {3}.",
                credential.ClientId, environment.AzureADEndpoint, credential.TenantId, with);
        }

        /// <summary>Explains a status of mg_context_new_with_credential, whose inputs this module checked before the call.</summary>
        private static ErrorRecord CredentialContextError(MgStatus status, GraphEnvironment environment, SignInCredential credential)
        {
            switch (status)
            {
                case MgStatus.InvalidEndpoint:
                    return ContextError(status, environment);

                case MgStatus.InsecureEndpoint:
                    string insecure = FindInsecureEndpoint(environment, credential);
                    return new ErrorRecord(
                        new ArgumentException(string.Format(
                            "{0} uses plain http to a host that is not a loopback address, so the secret or the token would travel unencrypted. Use https.", insecure)),
                        "InsecureEndpoint", ErrorCategory.InvalidArgument, null);

                case MgStatus.InvalidCredential:
                    return new ErrorRecord(
                        new ArgumentException(string.Format(
                            "The native library rejected the {0} credential for client '{1}' (MG_STATUS_INVALID_CREDENTIAL). Check the client id, the tenant, and that the certificate has an RSA key of 2048 bits or more.",
                            credential.TokenCredentialType, credential.ClientId)),
                        "InvalidCredential", ErrorCategory.InvalidArgument, null);

                default:
                    return ErrorRecords.NativeFailure(new NativeCallException("mg_context_new_with_credential", status));
            }
        }

        private static string FindInsecureEndpoint(GraphEnvironment environment, SignInCredential credential)
        {
            if (credential.IdentityEndpoint != null && IsPlainHttpToRemoteHost(credential.IdentityEndpoint))
            {
                return string.Format("IDENTITY_ENDPOINT '{0}'", credential.IdentityEndpoint);
            }

            if (IsPlainHttpToRemoteHost(environment.AzureADEndpoint))
            {
                return string.Format("The AzureADEndpoint '{0}' of environment '{1}'", environment.AzureADEndpoint, environment.Name);
            }

            return string.Format("The GraphEndpoint '{0}' of environment '{1}'", environment.GraphEndpoint, environment.Name);
        }

        private static bool IsPlainHttpToRemoteHost(string url)
        {
            return Uri.TryCreate(url, UriKind.Absolute, out Uri uri) && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback;
        }

        private static ErrorRecord ContextError(MgStatus status, GraphEnvironment environment)
        {
            string message;
            string errorId;
            switch (status)
            {
                case MgStatus.InvalidEndpoint:
                    errorId = "InvalidEndpoint";
                    message = string.Format(
                        "The GraphEndpoint '{0}' of environment '{1}' is not an absolute http or https URL. Correct it with Add-MgEnvironment.",
                        environment.GraphEndpoint, environment.Name);
                    break;
                case MgStatus.InsecureEndpoint:
                    errorId = "InsecureEndpoint";
                    message = string.Format(
                        "The GraphEndpoint '{0}' of environment '{1}' uses plain http to a host that is not a loopback address. Use https.",
                        environment.GraphEndpoint, environment.Name);
                    break;
                case MgStatus.InvalidToken:
                    errorId = "InvalidToken";
                    message = "The access token is empty or contains characters that an HTTP header cannot carry, such as line breaks. Pass the token text alone.";
                    break;
                default:
                    return ErrorRecords.NativeFailure(new NativeCallException("mg_context_new", status));
            }

            return new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, null);
        }

        private static string CheckEndpoint(string parameter, string value)
        {
            if (Uri.TryCreate(value, UriKind.Absolute, out Uri uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                return null;
            }

            return string.Format("The {0} '{1}' is not an absolute http or https URL, such as 'https://graph.microsoft.com'.", parameter, value);
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
        /// Fills <paramref name="info"/> from the claims of a JWT and returns its expiry. A token that is not a
        /// three-part JWT with a JSON payload is opaque: it is accepted as is and the details stay empty.
        /// The signature is not checked, because Graph checks it on every request.
        /// </summary>
        private static DateTimeOffset? ReadClaims(char[] token, GraphContext info)
        {
            int first = Array.IndexOf(token, '.');
            int second = first < 0 ? -1 : Array.IndexOf(token, '.', first + 1);
            if (first <= 0 || second < 0 || Array.IndexOf(token, '.', second + 1) >= 0)
            {
                return null;
            }

            int length = second - first - 1;
            char[] base64 = GC.AllocateArray<char>((length + 3) / 4 * 4, pinned: true);
            byte[] payload = GC.AllocateArray<byte>(base64.Length, pinned: true);
            try
            {
                for (int i = 0; i < base64.Length; i++)
                {
                    // base64url uses '-' and '_' where base64 uses '+' and '/', and leaves out the '=' padding.
                    char c = i < length ? token[first + 1 + i] : '=';
                    if (c == '-')
                    {
                        c = '+';
                    }
                    else if (c == '_')
                    {
                        c = '/';
                    }

                    base64[i] = c;
                }

                if (!Convert.TryFromBase64Chars(base64, payload, out int written))
                {
                    return null;
                }

                using (JsonDocument claims = JsonDocument.Parse(new ReadOnlyMemory<byte>(payload, 0, written)))
                {
                    return ReadClaims(claims.RootElement, info);
                }
            }
            catch (JsonException)
            {
                return null;
            }
            finally
            {
                Array.Clear(base64);
                Array.Clear(payload);
            }
        }

        private static DateTimeOffset? ReadClaims(JsonElement claims, GraphContext info)
        {
            if (claims.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            info.ClientId = CallOutcome.GetString(claims, "appid") ?? CallOutcome.GetString(claims, "azp");
            info.TenantId = CallOutcome.GetString(claims, "tid");
            info.Account = CallOutcome.GetString(claims, "upn") ?? CallOutcome.GetString(claims, "unique_name");
            info.AppName = CallOutcome.GetString(claims, "app_displayname");

            var scopes = new List<string>();
            string delegated = CallOutcome.GetString(claims, "scp");
            if (!string.IsNullOrEmpty(delegated))
            {
                scopes.AddRange(delegated.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (claims.TryGetProperty("roles", out JsonElement roles) && roles.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement role in roles.EnumerateArray())
                {
                    if (role.ValueKind == JsonValueKind.String)
                    {
                        scopes.Add(role.GetString());
                    }
                }
            }

            info.Scopes = scopes.ToArray();

            if (claims.TryGetProperty("exp", out JsonElement exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetDouble(out double seconds)
                && seconds >= 0 && seconds < 253402300800)
            {
                return DateTimeOffset.FromUnixTimeSeconds((long)seconds);
            }

            return null;
        }
    }
}
