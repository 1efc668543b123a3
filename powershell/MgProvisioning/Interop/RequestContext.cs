using System;
using System.Threading;

namespace MgProvisioning
{
    /// <summary>
    /// The transport settings of every provisioning call: retries and the client timeout (the names and defaults of
    /// Microsoft's Set-MgRequestContext), plus the pacing under Graph's rate limit. Instances are immutable snapshots;
    /// <see cref="RequestContextStore"/> holds the current one.
    /// </summary>
    public sealed class RequestContext
    {
        /// <summary>The largest MaxRetry that Set-MgRequestContext takes.</summary>
        public const int MaxRetryLimit = 10;

        /// <summary>The longest RetryDelay, in seconds.</summary>
        public const int RetryDelayLimitSeconds = 180;

        /// <summary>The longest RetriesTimeLimit and ClientTimeout, in seconds (one day).</summary>
        public const int TimeLimitSeconds = 86400;

        /// <summary>The largest number of calls in one pacing window.</summary>
        public const int PacingLimitMaximum = 1000;

        /// <summary>The longest pacing window, in seconds.</summary>
        public const int PacingWindowLimitSeconds = 3600;

        /// <summary>The defaults: 3 retries, 3 s first retry delay, no retry time limit, 300 s per call, pacing at 5 calls per 10 s (Graph's limit for provisionOnDemand).</summary>
        public static readonly RequestContext Default = new RequestContext(
            TimeSpan.FromSeconds(300), 3, 3, TimeSpan.Zero, true, 5, TimeSpan.FromSeconds(10));

        internal RequestContext(
            TimeSpan clientTimeout, int retryDelay, int maxRetry, TimeSpan retriesTimeLimit, bool pacing, int pacingLimit, TimeSpan pacingWindow)
        {
            ClientTimeout = clientTimeout;
            RetryDelay = retryDelay;
            MaxRetry = maxRetry;
            RetriesTimeLimit = retriesTimeLimit;
            Pacing = pacing;
            PacingLimit = pacingLimit;
            PacingWindow = pacingWindow;
        }

        /// <summary>The time limit of one call, retries and waits included.</summary>
        public TimeSpan ClientTimeout { get; }

        /// <summary>The wait before the first retry when the answer has no Retry-After, in seconds; it doubles on each retry.</summary>
        public int RetryDelay { get; }

        /// <summary>How many times a 429, 503 or 504 answer is retried.</summary>
        public int MaxRetry { get; }

        /// <summary>The longest total wait between retries of one call; zero means no limit.</summary>
        public TimeSpan RetriesTimeLimit { get; }

        /// <summary>Whether calls wait for a free slot under the rate limit before they are sent.</summary>
        public bool Pacing { get; }

        /// <summary>The number of calls that pacing lets through in one window, per Graph endpoint and application.</summary>
        public int PacingLimit { get; }

        /// <summary>The length of the pacing window.</summary>
        public TimeSpan PacingWindow { get; }
    }

    /// <summary>
    /// The process-wide current <see cref="RequestContext"/>. The interop assembly is loaded once per process, so every
    /// runspace reads and changes the same settings.
    /// </summary>
    public static class RequestContextStore
    {
        private static readonly object Gate = new object();
        private static RequestContext _current = RequestContext.Default;

        /// <summary>The settings the next call uses.</summary>
        public static RequestContext Current => Volatile.Read(ref _current);

        /// <summary>
        /// Replaces the settings that are given (non-null) and keeps the others. The caller validates the ranges
        /// (Set-MgRequestContext does it with ValidateRange); this method checks them again so that a caller from
        /// another language gets an ArgumentOutOfRangeException naming the value rather than a failing call later.
        /// Returns the new settings.
        /// </summary>
        public static RequestContext Update(
            int? clientTimeoutSeconds, int? retryDelaySeconds, int? maxRetry, int? retriesTimeLimitSeconds,
            bool? pacing, int? pacingLimit, int? pacingWindowSeconds)
        {
            CheckRange("ClientTimeout", clientTimeoutSeconds, 1, RequestContext.TimeLimitSeconds);
            CheckRange("RetryDelay", retryDelaySeconds, 0, RequestContext.RetryDelayLimitSeconds);
            CheckRange("MaxRetry", maxRetry, 0, RequestContext.MaxRetryLimit);
            CheckRange("RetriesTimeLimit", retriesTimeLimitSeconds, 0, RequestContext.TimeLimitSeconds);
            CheckRange("PacingLimit", pacingLimit, 1, RequestContext.PacingLimitMaximum);
            CheckRange("PacingWindow", pacingWindowSeconds, 1, RequestContext.PacingWindowLimitSeconds);

            lock (Gate)
            {
                RequestContext old = _current;
                var updated = new RequestContext(
                    clientTimeoutSeconds.HasValue ? TimeSpan.FromSeconds(clientTimeoutSeconds.Value) : old.ClientTimeout,
                    retryDelaySeconds ?? old.RetryDelay,
                    maxRetry ?? old.MaxRetry,
                    retriesTimeLimitSeconds.HasValue ? TimeSpan.FromSeconds(retriesTimeLimitSeconds.Value) : old.RetriesTimeLimit,
                    pacing ?? old.Pacing,
                    pacingLimit ?? old.PacingLimit,
                    pacingWindowSeconds.HasValue ? TimeSpan.FromSeconds(pacingWindowSeconds.Value) : old.PacingWindow);
                Volatile.Write(ref _current, updated);
                return updated;
            }
        }

        /// <summary>Restores the defaults and returns them.</summary>
        public static RequestContext Reset()
        {
            lock (Gate)
            {
                Volatile.Write(ref _current, RequestContext.Default);
                return RequestContext.Default;
            }
        }

        private static void CheckRange(string name, int? value, int minimum, int maximum)
        {
            if (value.HasValue && (value.Value < minimum || value.Value > maximum))
            {
                throw new ArgumentOutOfRangeException(
                    name, value.Value, string.Format("{0} {1} is out of range; use {2} to {3}.", name, value.Value, minimum, maximum));
            }
        }
    }
}
