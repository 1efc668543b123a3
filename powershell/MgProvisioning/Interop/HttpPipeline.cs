using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;

namespace MgProvisioning
{
    /// <summary>
    /// HTTP headers for pipeline steps: names compare without regard to case, <c>$headers['Name'] = 'value'</c>
    /// replaces every value of the header, and <c>.Add('Name', 'value')</c> adds one more value, as
    /// System.Net.Http's headers do. Reading a header with several values returns them joined by ", ".
    /// </summary>
    public sealed class HttpPipelineHeaders : IDictionary
    {
        private readonly List<KeyValuePair<string, List<string>>> _entries = new List<KeyValuePair<string, List<string>>>();

        /// <summary>The number of distinct header names.</summary>
        public int Count => _entries.Count;

        /// <summary>The header names, in the order they were first added.</summary>
        public ICollection Keys
        {
            get
            {
                var names = new List<string>(_entries.Count);
                foreach (KeyValuePair<string, List<string>> entry in _entries)
                {
                    names.Add(entry.Key);
                }

                return names;
            }
        }

        /// <summary>The header values, each joined by ", ".</summary>
        public ICollection Values
        {
            get
            {
                var values = new List<string>(_entries.Count);
                foreach (KeyValuePair<string, List<string>> entry in _entries)
                {
                    values.Add(string.Join(", ", entry.Value));
                }

                return values;
            }
        }

        bool IDictionary.IsFixedSize => false;

        bool IDictionary.IsReadOnly => false;

        bool ICollection.IsSynchronized => false;

        object ICollection.SyncRoot => this;

        /// <summary>Gets the values of a header joined by ", " (null when absent), or replaces them with one value.</summary>
        public string this[string name]
        {
            get
            {
                int index = IndexOf(name);
                return index < 0 ? null : string.Join(", ", _entries[index].Value);
            }

            set
            {
                Remove(name);
                if (value != null)
                {
                    Add(name, value);
                }
            }
        }

        object IDictionary.this[object key]
        {
            get => this[ToName(key)];
            set => this[ToName(key)] = ToValue(value);
        }

        /// <summary>Adds a value to a header, creating the header when it is absent.</summary>
        public void Add(string name, string value)
        {
            CheckName(name);
            int index = IndexOf(name);
            if (index < 0)
            {
                _entries.Add(new KeyValuePair<string, List<string>>(name, new List<string> { value ?? string.Empty }));
            }
            else
            {
                _entries[index].Value.Add(value ?? string.Empty);
            }
        }

        void IDictionary.Add(object key, object value)
        {
            Add(ToName(key), ToValue(value));
        }

        /// <summary>Returns the values of a header, or an empty array when it is absent.</summary>
        public string[] GetValues(string name)
        {
            int index = IndexOf(name);
            return index < 0 ? Array.Empty<string>() : _entries[index].Value.ToArray();
        }

        /// <summary>Whether the header is present.</summary>
        public bool ContainsKey(string name)
        {
            return IndexOf(name) >= 0;
        }

        bool IDictionary.Contains(object key)
        {
            return key != null && ContainsKey(ToName(key));
        }

        /// <summary>Removes a header with all its values; returns whether it was present.</summary>
        public bool Remove(string name)
        {
            int index = IndexOf(name);
            if (index < 0)
            {
                return false;
            }

            _entries.RemoveAt(index);
            return true;
        }

        void IDictionary.Remove(object key)
        {
            Remove(ToName(key));
        }

        /// <summary>Removes every header.</summary>
        public void Clear()
        {
            _entries.Clear();
        }

        /// <summary>Returns every (name, value) pair, one per value, in order.</summary>
        public IEnumerable<KeyValuePair<string, string>> GetPairs()
        {
            foreach (KeyValuePair<string, List<string>> entry in _entries)
            {
                foreach (string value in entry.Value)
                {
                    yield return new KeyValuePair<string, string>(entry.Key, value);
                }
            }
        }

        /// <summary>Enumerates DictionaryEntry items of name and joined values, as PowerShell shows a hashtable.</summary>
        public IDictionaryEnumerator GetEnumerator()
        {
            var ordered = new System.Collections.Specialized.OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, List<string>> entry in _entries)
            {
                ordered[entry.Key] = string.Join(", ", entry.Value);
            }

            return ordered.GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator()
        {
            return GetEnumerator();
        }

        void ICollection.CopyTo(Array array, int index)
        {
            foreach (KeyValuePair<string, List<string>> entry in _entries)
            {
                array.SetValue(new DictionaryEntry(entry.Key, string.Join(", ", entry.Value)), index++);
            }
        }

        /// <summary>Copies headers from a dictionary whose values are strings or lists of strings.</summary>
        internal static HttpPipelineHeaders From(object source, string description)
        {
            source = source is PSObject wrapped ? wrapped.BaseObject : source;
            if (source is HttpPipelineHeaders headers)
            {
                return headers;
            }

            var copy = new HttpPipelineHeaders();
            if (source == null)
            {
                return copy;
            }

            if (!(source is IDictionary dictionary))
            {
                throw new ArgumentException(string.Format(
                    CultureInfo.InvariantCulture, "{0} must be a dictionary of header names and values, not {1}.", description, source.GetType().FullName));
            }

            IDictionaryEnumerator entries = dictionary.GetEnumerator();
            while (entries.MoveNext())
            {
                string name = ToName(entries.Key);
                object value = entries.Value is PSObject inner ? inner.BaseObject : entries.Value;
                if (value is IEnumerable list && !(value is string))
                {
                    foreach (object item in list)
                    {
                        copy.Add(name, ToValue(item));
                    }
                }
                else
                {
                    copy.Add(name, ToValue(value));
                }
            }

            return copy;
        }

        private int IndexOf(string name)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                if (string.Equals(_entries[i].Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }

        private static void CheckName(string name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A header name must not be empty.", nameof(name));
            }
        }

        private static string ToName(object key)
        {
            return LanguagePrimitives.ConvertTo<string>(key);
        }

        private static string ToValue(object value)
        {
            return value == null ? null : LanguagePrimitives.ConvertTo<string>(value);
        }
    }

    /// <summary>The request that pipeline steps see as <c>$Request</c> and may change.</summary>
    public sealed class HttpPipelineRequest
    {
        /// <summary>The HTTP method, such as POST.</summary>
        public string Method { get; set; }

        /// <summary>The absolute URI. A step may change the path or query, but not the scheme, host or port.</summary>
        public Uri Uri { get; set; }

        /// <summary>The request headers, without Authorization (which the core adds when it sends).</summary>
        public HttpPipelineHeaders Headers { get; } = new HttpPipelineHeaders();

        /// <summary>The body text.</summary>
        public string Content { get; set; }
    }

    /// <summary>The response that <c>&amp; $Next $Request</c> returns, and the shape of the response a step returns in place of sending.</summary>
    public sealed class HttpPipelineResponse
    {
        /// <summary>The HTTP status code.</summary>
        public int StatusCode { get; set; }

        /// <summary>The response headers.</summary>
        public HttpPipelineHeaders Headers { get; set; } = new HttpPipelineHeaders();

        /// <summary>The body text.</summary>
        public string Content { get; set; }

        /// <summary>
        /// Reads a step's output: an <see cref="HttpPipelineResponse"/>, or any object or dictionary with StatusCode,
        /// and optionally Headers and Content. Throws <see cref="ArgumentException"/> naming what is missing or invalid.
        /// </summary>
        internal static HttpPipelineResponse From(object output)
        {
            object value = output is PSObject wrapped ? wrapped.BaseObject : output;
            if (value is HttpPipelineResponse response)
            {
                return response;
            }

            if (value == null)
            {
                throw new ArgumentException("The step returned nothing; it must return '& $Next $Request' or a response with StatusCode, Headers and Content.");
            }

            object statusCode = GetMember(output, "StatusCode");
            if (statusCode == null)
            {
                throw new ArgumentException(string.Format(
                    CultureInfo.InvariantCulture, "The step returned a {0} without StatusCode; it must return '& $Next $Request' or a response with StatusCode, Headers and Content.", value.GetType().FullName));
            }

            int code;
            try
            {
                code = LanguagePrimitives.ConvertTo<int>(statusCode);
            }
            catch (PSInvalidCastException)
            {
                throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "The step returned the StatusCode '{0}', which is not a number.", statusCode));
            }

            if (code < 100 || code > 599)
            {
                throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "The step returned the StatusCode {0}; use an HTTP status from 100 to 599.", code));
            }

            object content = GetMember(output, "Content");
            return new HttpPipelineResponse
            {
                StatusCode = code,
                Headers = HttpPipelineHeaders.From(GetMember(output, "Headers"), "The response's Headers"),
                Content = content == null ? string.Empty : LanguagePrimitives.ConvertTo<string>(content),
            };
        }

        private static object GetMember(object output, string name)
        {
            object value = output is PSObject wrapped ? wrapped.BaseObject : output;
            if (value is IDictionary dictionary)
            {
                foreach (object key in dictionary.Keys)
                {
                    if (string.Equals(LanguagePrimitives.ConvertTo<string>(key), name, StringComparison.OrdinalIgnoreCase))
                    {
                        return dictionary[key];
                    }
                }

                return null;
            }

            PSPropertyInfo property = PSObject.AsPSObject(output).Properties[name];
            return property?.Value;
        }
    }

    /// <summary>A step of -HttpPipelinePrepend or -HttpPipelineAppend threw or returned something that is not a response.</summary>
    public sealed class HttpPipelineStepException : Exception
    {
        internal HttpPipelineStepException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }

    /// <summary>The innermost <c>$Next</c> got no response (a transport error, a rejected request, a cancel).</summary>
    internal sealed class PipelineSendFailedException : Exception
    {
        internal PipelineSendFailedException(string outcomeJson)
            : base("The request sent by the HTTP pipeline got no answer.")
        {
            OutcomeJson = outcomeJson;
        }

        internal string OutcomeJson { get; }
    }

    /// <summary>
    /// Runs -HttpPipelinePrepend steps (outermost first) then -HttpPipelineAppend steps, each as
    /// <c>param($Request, $Next)</c>, around a function that sends the request. <c>$Next</c> is a script block that
    /// calls <see cref="InvokeNext"/> with this chain's id, so it works from any scope the step runs in.
    /// </summary>
    public sealed class HttpPipelineChain
    {
        private static readonly ConcurrentDictionary<string, HttpPipelineChain> Running =
            new ConcurrentDictionary<string, HttpPipelineChain>(StringComparer.Ordinal);

        private readonly string _id = Guid.NewGuid().ToString("N");
        private readonly IReadOnlyList<ScriptBlock> _steps;
        private readonly IReadOnlyList<string> _labels;
        private readonly Func<HttpPipelineRequest, HttpPipelineResponse> _send;
        private readonly ScriptBlock[] _next;

        internal HttpPipelineChain(
            IReadOnlyList<ScriptBlock> steps, IReadOnlyList<string> labels, Func<HttpPipelineRequest, HttpPipelineResponse> send)
        {
            _steps = steps;
            _labels = labels;
            _send = send;
            _next = new ScriptBlock[steps.Count];
            for (int i = 0; i < steps.Count; i++)
            {
                _next[i] = ScriptBlock.Create(string.Format(
                    CultureInfo.InvariantCulture, "param($Request) [MgProvisioning.HttpPipelineChain]::InvokeNext('{0}', {1}, $Request)", _id, i + 1));
            }
        }

        /// <summary>Builds the chain from the bound -HttpPipelinePrepend and -HttpPipelineAppend, or returns null when neither has a step.</summary>
        internal static HttpPipelineChain FromBoundParameters(
            IDictionary<string, object> boundParameters, Func<HttpPipelineRequest, HttpPipelineResponse> send)
        {
            var steps = new List<ScriptBlock>();
            var labels = new List<string>();
            AddSteps(boundParameters, "HttpPipelinePrepend", steps, labels);
            AddSteps(boundParameters, "HttpPipelineAppend", steps, labels);
            return steps.Count == 0 ? null : new HttpPipelineChain(steps, labels, send);
        }

        /// <summary>Runs the chain from its outermost step and returns the final response.</summary>
        internal HttpPipelineResponse Invoke(HttpPipelineRequest request)
        {
            Running[_id] = this;
            try
            {
                return InvokeAt(0, request);
            }
            finally
            {
                Running.TryRemove(_id, out _);
            }
        }

        /// <summary>
        /// Runs the step at <paramref name="index"/>, or sends the request when every step has run. Called by the
        /// <c>$Next</c> script blocks; not meant for scripts.
        /// </summary>
        public static HttpPipelineResponse InvokeNext(string chainId, int index, object request)
        {
            if (!Running.TryGetValue(chainId, out HttpPipelineChain chain))
            {
                throw new InvalidOperationException("$Next was called after its HTTP pipeline finished; call it only while the step runs.");
            }

            object value = request is PSObject wrapped ? wrapped.BaseObject : request;
            if (!(value is HttpPipelineRequest typed))
            {
                throw new ArgumentException("$Next takes the $Request object that the step received, not " + (value == null ? "null" : value.GetType().FullName) + ".");
            }

            return chain.InvokeAt(index, typed);
        }

        private HttpPipelineResponse InvokeAt(int index, HttpPipelineRequest request)
        {
            if (index >= _steps.Count)
            {
                return _send(request);
            }

            Collection<PSObject> output;
            try
            {
                output = _steps[index].Invoke(request, _next[index]);
            }
            catch (Exception error) when (!(error is PipelineStoppedException))
            {
                Exception inner = Unwrap(error);
                if (inner is PipelineSendFailedException || inner is PipelineStoppedException || inner is HttpPipelineStepException)
                {
                    throw inner;
                }

                throw new HttpPipelineStepException(_labels[index] + " failed: " + inner.Message, inner);
            }

            PSObject last = null;
            foreach (PSObject item in output)
            {
                if (item != null)
                {
                    last = item;
                }
            }

            try
            {
                return HttpPipelineResponse.From(last);
            }
            catch (ArgumentException error)
            {
                throw new HttpPipelineStepException(_labels[index] + " failed: " + error.Message, error);
            }
        }

        private static void AddSteps(IDictionary<string, object> boundParameters, string parameter, List<ScriptBlock> steps, List<string> labels)
        {
            if (!boundParameters.TryGetValue(parameter, out object bound) || bound == null)
            {
                return;
            }

            var given = bound as IEnumerable<ScriptBlock> ?? new[] { (ScriptBlock)bound };
            int index = 0;
            foreach (ScriptBlock step in given)
            {
                if (step != null)
                {
                    steps.Add(step);
                    labels.Add(string.Format(CultureInfo.InvariantCulture, "The {0} step at index {1}", parameter, index));
                }

                index++;
            }
        }

        /// <summary>Finds the exception a script threw inside PowerShell's wrappers (MethodInvocationException, RuntimeException).</summary>
        private static Exception Unwrap(Exception error)
        {
            Exception current = error;
            for (int depth = 0; depth < 16 && current != null; depth++)
            {
                if (current is PipelineSendFailedException || current is PipelineStoppedException || current is HttpPipelineStepException)
                {
                    return current;
                }

                current = current.InnerException;
            }

            // A script's own 'throw' arrives as a RuntimeException whose message is the thrown text.
            return error is MethodInvocationException && error.InnerException != null ? error.InnerException : error;
        }
    }
}
