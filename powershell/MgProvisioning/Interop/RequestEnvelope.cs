using System;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// Writes the request envelope that <c>mg_call_start</c> reads: the command, the parameter set and a generic
    /// JSON image of each bound value. The core interprets the values and reports what is wrong with them.
    /// </summary>
    internal static class RequestEnvelope
    {
        /// <summary>
        /// Returns the envelope as NUL-terminated UTF-8. Throws <see cref="InputConversionException"/> for a value JSON
        /// cannot hold. The envelope may contain the proxy password: the caller zeroes it after <c>mg_call_start</c>.
        /// </summary>
        internal static byte[] Build(
            ProvisionCommand command, string parameterSet, IDictionary<string, object> boundParameters, CallOptions options)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            try
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    var values = new PowerShellJsonWriter(writer);
                    writer.WriteStartObject();
                    writer.WriteString("command", command.Name);
                    writer.WriteString("parameterSet", parameterSet);
                    writer.WriteString("apiVersion", command.ApiVersion);
                    writer.WriteString("root", command.Root);
                    WriteBound(writer, values, "id", command.IdParameterName, boundParameters);
                    WriteBound(writer, values, "synchronizationJobId", "SynchronizationJobId", boundParameters);
                    WriteBound(writer, values, "inputObject", "InputObject", boundParameters);
                    WriteBound(writer, values, "parameters", "Parameters", boundParameters);
                    WriteBound(writer, values, "additionalProperties", "AdditionalProperties", boundParameters);
                    WriteBound(writer, values, "bodyParameter", "BodyParameter", boundParameters);
                    WriteHeaders(writer, boundParameters);
                    WriteTransportSettings(writer, options.Settings);
                    WriteProxy(writer, options.Proxy);
                    if (options.IncludeResponseBody)
                    {
                        writer.WriteBoolean("includeResponseBody", true);
                    }

                    if (options.Mode != null)
                    {
                        writer.WriteString("mode", options.Mode);
                    }

                    options.WriteExtraMembers?.Invoke(writer);
                    writer.WriteEndObject();
                }

                var envelope = new byte[buffer.WrittenCount + 1];
                buffer.WrittenSpan.CopyTo(envelope);
                return envelope;
            }
            finally
            {
                // Zeroes the written part, which may hold the proxy password.
                buffer.Clear();
            }
        }

        /// <summary>Writes timeoutSeconds, retry and pacing from the process-wide request context.</summary>
        private static void WriteTransportSettings(Utf8JsonWriter writer, RequestContext settings)
        {
            writer.WriteNumber("timeoutSeconds", settings.ClientTimeout.TotalSeconds);

            writer.WriteStartObject("retry");
            writer.WriteNumber("maxRetry", settings.MaxRetry);
            writer.WriteNumber("retryDelaySeconds", settings.RetryDelay);
            writer.WriteNumber("retriesTimeLimitSeconds", settings.RetriesTimeLimit.TotalSeconds);
            writer.WriteEndObject();

            writer.WriteStartObject("pacing");
            writer.WriteBoolean("enabled", settings.Pacing);
            writer.WriteNumber("limit", settings.PacingLimit);
            writer.WriteNumber("windowSeconds", settings.PacingWindow.TotalSeconds);
            writer.WriteEndObject();
        }

        /// <summary>Writes the proxy member when -Proxy, -ProxyCredential or -ProxyUseDefaultCredentials was given.</summary>
        private static void WriteProxy(Utf8JsonWriter writer, ProxyOptions proxy)
        {
            if (proxy == null)
            {
                return;
            }

            writer.WriteStartObject("proxy");
            if (proxy.Uri != null)
            {
                writer.WriteString("uri", proxy.Uri.AbsoluteUri);
            }

            if (proxy.Credential != null)
            {
                NetworkCredential credential = proxy.Credential.GetNetworkCredential();
                writer.WriteString("username", credential.UserName);
                writer.WriteString("password", credential.Password);
            }

            writer.WriteBoolean("useDefaultCredentials", proxy.UseDefaultCredentials);
            writer.WriteEndObject();
        }

        private static void WriteBound(
            Utf8JsonWriter writer, PowerShellJsonWriter values, string member, string parameter, IDictionary<string, object> boundParameters)
        {
            writer.WritePropertyName(member);
            if (boundParameters.TryGetValue(parameter, out object value))
            {
                values.WriteValue(parameter, value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        /// <summary>Writes -Headers as an object of strings, converting each value as PowerShell converts it to [string].</summary>
        private static void WriteHeaders(Utf8JsonWriter writer, IDictionary<string, object> boundParameters)
        {
            writer.WriteStartObject("headers");
            if (boundParameters.TryGetValue("Headers", out object bound) && bound is IDictionary headers)
            {
                IDictionaryEnumerator entries = headers.GetEnumerator();
                while (entries.MoveNext())
                {
                    string name = LanguagePrimitives.ConvertTo<string>(entries.Key);
                    string value = LanguagePrimitives.ConvertTo<string>(entries.Value);
                    try
                    {
                        writer.WriteString(name, value);
                    }
                    catch (System.ArgumentException)
                    {
                        throw new InputConversionException(
                            "Headers." + name, "The header '" + name + "' has a name or value that is not valid UTF-16 (it has an unpaired surrogate).");
                    }
                }
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>-Proxy, -ProxyCredential and -ProxyUseDefaultCredentials as the envelope's <c>proxy</c> member takes them.</summary>
    internal sealed class ProxyOptions
    {
        internal Uri Uri { get; set; }

        internal PSCredential Credential { get; set; }

        internal bool UseDefaultCredentials { get; set; }
    }

    /// <summary>The envelope members that do not come from the bound parameters.</summary>
    internal sealed class CallOptions
    {
        /// <summary>Retries, pacing and the time limit for this call.</summary>
        internal RequestContext Settings { get; set; } = RequestContext.Default;

        /// <summary>The proxy, or null to use the proxy environment variables.</summary>
        internal ProxyOptions Proxy { get; set; }

        /// <summary>Whether the outcome should carry the response body, for -Debug.</summary>
        internal bool IncludeResponseBody { get; set; }

        /// <summary>The envelope's mode (prepare, sendPrepared or decode), or null for the default, send.</summary>
        internal string Mode { get; set; }

        /// <summary>Writes the members a mode needs, such as <c>prepared</c> or <c>answer</c>.</summary>
        internal Action<Utf8JsonWriter> WriteExtraMembers { get; set; }
    }
}
