namespace MgProvisioning
{
    /// <summary>
    /// What distinguishes the four provisionOnDemand commands: the Graph version, the path root, the name of the
    /// id parameter and the namespace of Microsoft's model type names that the output carries.
    /// </summary>
    public sealed class ProvisionCommand
    {
        private const string BetaModels = "Microsoft.Graph.Beta.PowerShell.Models.";
        private const string V1Models = "Microsoft.Graph.PowerShell.Models.";

        /// <summary>New-MgBetaApplicationSynchronizationJobOnDemand.</summary>
        public static readonly ProvisionCommand BetaApplication = new ProvisionCommand(
            "New-MgBetaApplicationSynchronizationJobOnDemand", "beta", "applications", "ApplicationId", BetaModels);

        /// <summary>New-MgBetaServicePrincipalSynchronizationJobOnDemand.</summary>
        public static readonly ProvisionCommand BetaServicePrincipal = new ProvisionCommand(
            "New-MgBetaServicePrincipalSynchronizationJobOnDemand", "beta", "servicePrincipals", "ServicePrincipalId", BetaModels);

        /// <summary>New-MgApplicationSynchronizationJobOnDemand.</summary>
        public static readonly ProvisionCommand Application = new ProvisionCommand(
            "New-MgApplicationSynchronizationJobOnDemand", "v1.0", "applications", "ApplicationId", V1Models);

        /// <summary>New-MgServicePrincipalSynchronizationJobOnDemand.</summary>
        public static readonly ProvisionCommand ServicePrincipal = new ProvisionCommand(
            "New-MgServicePrincipalSynchronizationJobOnDemand", "v1.0", "servicePrincipals", "ServicePrincipalId", V1Models);

        private ProvisionCommand(string name, string apiVersion, string root, string idParameterName, string modelNamespace)
        {
            Name = name;
            ApiVersion = apiVersion;
            Root = root;
            IdParameterName = idParameterName;
            ResultTypeName = modelNamespace + "MicrosoftGraphStringKeyStringValuePair";
            ResultInterfaceName = modelNamespace + "IMicrosoftGraphStringKeyStringValuePair";
        }

        /// <summary>The command's name.</summary>
        public string Name { get; }

        /// <summary>The Graph version in the path: <c>beta</c> or <c>v1.0</c>.</summary>
        public string ApiVersion { get; }

        /// <summary>The path root: <c>applications</c> or <c>servicePrincipals</c>.</summary>
        public string Root { get; }

        /// <summary>The parameter that contains the object id: <c>ApplicationId</c> or <c>ServicePrincipalId</c>.</summary>
        public string IdParameterName { get; }

        /// <summary>The first PSTypeName of the output, the name of Microsoft's model class.</summary>
        public string ResultTypeName { get; }

        /// <summary>The second PSTypeName of the output, the name of Microsoft's model interface.</summary>
        public string ResultInterfaceName { get; }
    }
}
