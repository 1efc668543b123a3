using System;
using System.Collections.Generic;

namespace MgProvisioning
{
    /// <summary>
    /// Graph's <c>stringKeyStringValuePair</c>: the result of a provisionOnDemand call. Key and Value are the strings
    /// exactly as Graph sent them, usually JSON text that is left unparsed.
    /// </summary>
    public sealed class StringKeyStringValuePair
    {
        /// <summary>The response's <c>key</c> member.</summary>
        public string Key { get; set; }

        /// <summary>The response's <c>value</c> member.</summary>
        public string Value { get; set; }

        /// <summary>The response's other members, such as <c>@odata.context</c>.</summary>
        public IDictionary<string, object> AdditionalProperties { get; set; } = new Dictionary<string, object>(StringComparer.Ordinal);
    }

    /// <summary>A cloud that Connect-MgGraph can sign in to: a sign-in authority and a Graph endpoint.</summary>
    public sealed class GraphEnvironment
    {
        internal GraphEnvironment(string name, string azureADEndpoint, string graphEndpoint, string type)
        {
            Name = name;
            AzureADEndpoint = azureADEndpoint;
            GraphEndpoint = graphEndpoint;
            Type = type;
        }

        /// <summary>The environment's name, such as <c>Global</c> or <c>USGov</c>.</summary>
        public string Name { get; }

        /// <summary>The sign-in authority, such as <c>https://login.microsoftonline.com</c>.</summary>
        public string AzureADEndpoint { get; }

        /// <summary>The Graph root, such as <c>https://graph.microsoft.com</c>.</summary>
        public string GraphEndpoint { get; }

        /// <summary><c>Built-in</c> or <c>User-defined</c>.</summary>
        public string Type { get; }
    }

    /// <summary>What Get-MgContext shows about the current connection. It never contains the token.</summary>
    public sealed class GraphContext
    {
        /// <summary>The application (client) id from the token's <c>appid</c> or <c>azp</c> claim.</summary>
        public string ClientId { get; internal set; }

        /// <summary>The tenant id from the token's <c>tid</c> claim.</summary>
        public string TenantId { get; internal set; }

        /// <summary>The delegated scopes (<c>scp</c>) or, for an app-only token, the application roles (<c>roles</c>).</summary>
        public string[] Scopes { get; internal set; } = Array.Empty<string>();

        /// <summary>
        /// How the session signed in: <c>UserProvidedAccessToken</c> (-AccessToken), <c>AppOnly</c> (a client secret or a
        /// certificate), <c>ManagedIdentity</c> or <c>EnvironmentVariable</c>.
        /// </summary>
        public string AuthType { get; internal set; }

        /// <summary>
        /// The kind of credential behind the token: <c>UserProvidedAccessToken</c>, <c>ClientSecret</c>,
        /// <c>ClientCertificate</c>, <c>ManagedIdentity</c> or <c>EnvironmentCredential</c>.
        /// </summary>
        public string TokenCredentialType { get; internal set; }

        /// <summary>The SHA-1 thumbprint of the sign-in certificate, or null without one.</summary>
        public string CertificateThumbprint { get; internal set; }

        /// <summary>The subject of the sign-in certificate, such as <c>CN=automation</c>, or null without one.</summary>
        public string CertificateSubjectName { get; internal set; }

        /// <summary>Whether the client assertion carries the certificate chain (<c>x5c</c>).</summary>
        public bool SendCertificateChain { get; internal set; }

        /// <summary>The client id of the user-assigned managed identity, or null for the system-assigned one and other sign-ins.</summary>
        public string ManagedIdentityId { get; internal set; }

        /// <summary>Where the context and its tokens live; always <c>Process</c> (this process's memory).</summary>
        public string ContextScope { get; internal set; }

        /// <summary>The name of the environment the session is connected to.</summary>
        public string Environment { get; internal set; }

        /// <summary>The application's display name from the token's <c>app_displayname</c> claim.</summary>
        public string AppName { get; internal set; }

        /// <summary>The signed-in account from the token's <c>upn</c> or <c>unique_name</c> claim; null for app-only tokens.</summary>
        public string Account { get; internal set; }

        /// <summary>The version of PowerShell that connected.</summary>
        public Version PSHostVersion { get; internal set; }
    }
}
