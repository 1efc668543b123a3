using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MgProvisioning
{
    /// <summary>
    /// Finds the native library in the module folder at <c>runtimes/&lt;rid&gt;/native/&lt;file&gt;</c> and resolves
    /// the interop assembly's <c>DllImport("mg_provisioning")</c> to it. build.ps1 computes the same rid through
    /// <see cref="GetRuntimeIdentifier"/>, so the build and the loader cannot disagree on the folder.
    /// </summary>
    public static class NativeLibraryLoader
    {
        private static readonly object Gate = new object();
        private static IntPtr _libraryHandle;
        private static volatile bool _loaded;

        /// <summary>Returns the runtime identifier of this process, such as <c>linux-x64</c>, or null on a platform without a build.</summary>
        public static string GetRuntimeIdentifier()
        {
            string os;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                os = "win";
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                os = "osx";
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                os = "linux";
            }
            else
            {
                return null;
            }

            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X64:
                    return os + "-x64";
                case Architecture.Arm64:
                    return os + "-arm64";
                default:
                    return null;
            }
        }

        /// <summary>Returns the native library's file name on this platform.</summary>
        public static string GetLibraryFileName()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return "mg_provisioning.dll";
            }

            return RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "libmg_provisioning.dylib" : "libmg_provisioning.so";
        }

        /// <summary>Returns the full path where the module expects the native library for this process.</summary>
        public static string GetLibraryPath()
        {
            string moduleFolder = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
            string rid = GetRuntimeIdentifier() ?? "unsupported";
            return Path.Combine(moduleFolder, "runtimes", rid, "native", GetLibraryFileName());
        }

        /// <summary>
        /// Loads the native library once per process and registers the resolver.
        /// Throws <see cref="DllNotFoundException"/> naming the rid and the path when the file is missing.
        /// </summary>
        internal static void EnsureLoaded()
        {
            if (_loaded)
            {
                return;
            }

            lock (Gate)
            {
                if (_loaded)
                {
                    return;
                }

                string rid = GetRuntimeIdentifier();
                if (rid == null)
                {
                    throw new PlatformNotSupportedException(string.Format(
                        "MgProvisioning has no native library for {0} on {1}. Supported: linux-x64, linux-arm64, osx-x64, osx-arm64, win-x64, win-arm64.",
                        RuntimeInformation.OSDescription, RuntimeInformation.ProcessArchitecture));
                }

                string path = GetLibraryPath();
                if (!File.Exists(path))
                {
                    throw new DllNotFoundException(string.Format(
                        "The native library for runtime '{0}' was not found at '{1}'. Rebuild the module with 'pwsh ./build.ps1 build'.",
                        rid, path));
                }

                _libraryHandle = NativeLibrary.Load(path);
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
                _loaded = true;
            }
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            return libraryName == NativeMethods.LibraryName ? _libraryHandle : IntPtr.Zero;
        }
    }
}
