//! The tenant the emulator serves: applications with their synchronization jobs, the directory
//! objects (users, groups, AD users, Workday workers) those jobs provision, and the app
//! registrations and managed identities that may sign in.
//!
//! The format is the neutral JSON of the conformance cases' `tenant.json`, extended. Members the
//! emulator does not know are ignored, so a fixture can carry notes. A member of the wrong type,
//! a missing id or a duplicate id is an error that names its JSON path, such as
//! `$.applications[0].jobs[1].rules[0].id: missing; a non-empty string is required`.

use std::collections::HashMap;

use serde_json::Value;

use crate::certificate::Certificate;

/// The built-in fixture, compiled into the binary.
const DEFAULT_FIXTURE: &str = include_str!("default-fixture.json");

/// A whole tenant as the fixture describes it.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The tenant's id (a GUID in real tenants).
    pub tenant_id: String,
    /// The tenant's `*.onmicrosoft.com` domain, used to build guest user names for cross-tenant
    /// sync; the token endpoint also accepts it in place of the tenant id.
    pub initial_domain: String,
    /// Applications, each with its service principal and synchronization jobs.
    pub applications: Vec<Application>,
    /// Entra ID users.
    pub users: Vec<User>,
    /// Entra ID groups.
    pub groups: Vec<Group>,
    /// On-premises Active Directory users, found by distinguished name (Cloud Sync).
    pub ad_users: Vec<AdUser>,
    /// Workday workers, found by Worker ID.
    pub workers: Vec<Worker>,
    /// App registrations that may sign in with the client credentials grant.
    pub clients: Vec<Client>,
    /// Managed identities served by the App Service style endpoint `/msi/token`.
    pub managed_identities: Vec<ManagedIdentity>,
}

/// An application and its service principal; both ids lead to the same jobs.
#[derive(Debug, Clone)]
pub struct Application {
    /// The application's object id (the `{id}` of `/applications/{id}`).
    pub id: String,
    /// The application (client) id. Never part of a path.
    #[allow(dead_code)] // part of the tenant's picture; no answer uses it yet
    pub app_id: String,
    /// The name shown in the portal.
    #[allow(dead_code)] // part of the tenant's picture; no answer uses it yet
    pub display_name: String,
    /// The service principal's object id (the `{id}` of `/servicePrincipals/{id}`).
    pub service_principal_id: String,
    /// The application's synchronization jobs.
    pub jobs: Vec<Job>,
}

/// One synchronization job with its schema's rules and the subjects it has in scope.
#[derive(Debug, Clone)]
pub struct Job {
    /// The job id, such as `scim.{32 hex}`; opaque, may contain dots.
    pub id: String,
    /// The template the job was made from (`scim`, `AD2AADProvisioning`, `Azure2Azure`, `Workday2AD`, ...).
    pub template_id: String,
    /// The job's status code (`Active`, `Paused`, `NotRun`, `Quarantine`, ...).
    pub status: String,
    /// How often the job runs, as an ISO 8601 duration such as `PT40M`.
    pub schedule_interval: String,
    /// The schedule's state (`Active`, `Disabled` or `Paused`).
    pub schedule_state: String,
    /// `synchronizationJobSettings`: name and value pairs.
    pub settings: Vec<(String, String)>,
    /// The synchronization rules of the job's schema.
    pub rules: Vec<Rule>,
    /// Which subjects the job provisions.
    pub scope: Scope,
    /// The scoping filter that subjects in `scope.filteredOut` fail, as people read it.
    pub scoping_filter: String,
}

/// A synchronization rule of a job's schema.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule id sent as `ruleId`; may carry a suffix such as `#V2`.
    pub id: String,
    /// The rule name, such as `USER_OUTBOUND_USER` or `GROUP_OUTBOUND_GROUP`.
    pub name: String,
    /// The directory the rule reads from.
    pub source_directory_name: String,
    /// The directory the rule writes to.
    pub target_directory_name: String,
    /// Whether the rule may be used for provisioning on demand.
    pub supports_provision_on_demand: bool,
    /// The `objectTypeName` the rule takes, when it differs from what the job's template implies.
    pub object_type_name: Option<String>,
    /// The rule's priority in the schema.
    pub priority: i64,
    /// Whether the rule may be edited.
    pub editable: bool,
    /// `metadata` key and value pairs, always including `supportsProvisionOnDemand`.
    pub metadata: Vec<(String, String)>,
    /// `objectMappings` as the fixture gives them; None to let the emulator describe one mapping.
    pub object_mappings: Option<Value>,
}

/// The subjects a job has in scope. A subject in no list is not assigned.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Object ids, distinguished names or Worker IDs assigned to the job.
    pub assigned: Vec<String>,
    /// Subjects known to be out of scope.
    pub not_assigned: Vec<String>,
    /// Subjects assigned to the job that its scoping filter leaves out.
    pub filtered_out: Vec<String>,
}

/// An Entra ID user.
#[derive(Debug, Clone)]
pub struct User {
    /// The user's object id.
    pub id: String,
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// Whether the account is enabled; a disabled account is not provisioned.
    pub account_enabled: bool,
}

/// An Entra ID group.
#[derive(Debug, Clone)]
pub struct Group {
    /// The group's object id.
    pub id: String,
    /// The group's name.
    pub display_name: String,
    /// Object ids of the group's members.
    #[allow(dead_code)] // part of the tenant's picture; a group's answer covers the members the request sends
    pub members: Vec<String>,
}

/// An on-premises Active Directory user.
#[derive(Debug, Clone)]
pub struct AdUser {
    /// The distinguished name, with AD's own escapes (`CN=Doe\, Jane,OU=...`).
    pub distinguished_name: String,
    /// The pre-Windows 2000 logon name.
    pub sam_account_name: String,
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// Whether the account is enabled.
    pub enabled: bool,
}

/// A Workday worker.
#[derive(Debug, Clone)]
pub struct Worker {
    /// The Worker ID (WID); leading zeros matter.
    pub worker_id: String,
    /// The worker's display name.
    pub display_name: String,
    /// Whether the worker is active in Workday.
    pub active: bool,
}

/// An app registration that signs in with a client secret or a certificate.
#[derive(Debug, Clone)]
pub struct Client {
    /// The application (client) id.
    pub client_id: String,
    /// The name used in messages.
    pub display_name: String,
    /// Client secrets that are accepted.
    pub secrets: Vec<String>,
    /// Certificates whose keys may sign client assertions.
    pub certificates: Vec<Certificate>,
    /// Application permissions granted to the client; they become the token's `roles`.
    pub roles: Vec<String>,
}

/// A managed identity: the system-assigned one, or a user-assigned one chosen by `client_id`.
#[derive(Debug, Clone)]
pub struct ManagedIdentity {
    /// The identity's client id.
    pub client_id: String,
    /// The identity's service principal object id.
    pub principal_id: String,
    /// Whether this is the identity served when the request names none.
    pub system_assigned: bool,
    /// Application permissions granted to the identity.
    pub roles: Vec<String>,
}

/// What kind of provisioning a job does, derived from its template id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Entra ID to a SaaS application (`scim` and gallery templates).
    Saas,
    /// On-premises AD to Entra ID with Cloud Sync (`AD2AADProvisioning`).
    CloudSync,
    /// Workday to AD or Entra ID (`Workday2AD`, `Workday2AAD`).
    Workday,
    /// Entra ID to another tenant (`Azure2Azure`).
    CrossTenant,
}

impl JobKind {
    /// A short name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            JobKind::Saas => "SaaS application",
            JobKind::CloudSync => "Cloud Sync",
            JobKind::Workday => "Workday",
            JobKind::CrossTenant => "cross-tenant synchronization",
        }
    }
}

/// Returns the kind of provisioning a template id means.
pub fn kind_of_template(template_id: &str) -> JobKind {
    let template = template_id.to_ascii_lowercase();
    if template == "ad2aadprovisioning" {
        JobKind::CloudSync
    } else if template.starts_with("workday") {
        JobKind::Workday
    } else if template == "azure2azure" {
        JobKind::CrossTenant
    } else {
        JobKind::Saas
    }
}

impl Job {
    /// The kind of provisioning this job does.
    pub fn kind(&self) -> JobKind {
        kind_of_template(&self.template_id)
    }

    /// The rule with exactly this id, if the job has one.
    pub fn rule(&self, rule_id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id == rule_id)
    }
}

impl Rule {
    /// Whether the rule provisions groups.
    pub fn is_group_rule(&self) -> bool {
        self.name.to_ascii_uppercase().starts_with("GROUP_")
    }

    /// The case-sensitive `objectTypeName` this rule takes on a job of the given kind.
    pub fn accepted_object_type(&self, kind: JobKind) -> &str {
        if let Some(name) = &self.object_type_name {
            return name;
        }
        if self.is_group_rule() {
            return "Group";
        }
        match kind {
            JobKind::CloudSync => "user",
            JobKind::Workday => "Worker",
            JobKind::Saas | JobKind::CrossTenant => "User",
        }
    }
}

impl Tenant {
    /// Parses and checks a fixture. The error names the JSON path of the first problem.
    pub fn from_json(text: &str) -> Result<Tenant, String> {
        let value: Value = serde_json::from_str(text)
            .map_err(|error| format!("$: not valid JSON: {error}"))?;
        let tenant = read_tenant(&Node::root(&value))?;
        check_unique_ids(&tenant)?;
        Ok(tenant)
    }

    /// The built-in fixture.
    pub fn builtin() -> Result<Tenant, String> {
        Tenant::from_json(DEFAULT_FIXTURE)
    }

    /// The application with this object id (`applications` paths).
    /// Object ids compare without regard to ASCII case, as Graph does for GUIDs.
    pub fn application_by_id(&self, id: &str) -> Option<&Application> {
        self.applications
            .iter()
            .find(|app| app.id.eq_ignore_ascii_case(id))
    }

    /// The application whose service principal has this object id (`servicePrincipals` paths).
    pub fn application_by_service_principal(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|app| {
            !app.service_principal_id.is_empty()
                && app.service_principal_id.eq_ignore_ascii_case(id)
        })
    }

    /// The Entra ID user with this object id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|user| user.id.eq_ignore_ascii_case(id))
    }

    /// The Entra ID group with this object id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|group| group.id.eq_ignore_ascii_case(id))
    }

    /// The AD user with this distinguished name (compared without regard to ASCII case, as AD does).
    pub fn ad_user(&self, distinguished_name: &str) -> Option<&AdUser> {
        self.ad_users.iter().find(|user| {
            user.distinguished_name
                .eq_ignore_ascii_case(distinguished_name)
        })
    }

    /// The Workday worker with exactly this Worker ID.
    pub fn worker(&self, worker_id: &str) -> Option<&Worker> {
        self.workers
            .iter()
            .find(|worker| worker.worker_id == worker_id)
    }

    /// Whether a tenant name from a token endpoint path means this tenant: its id or its
    /// initial domain, without regard to ASCII case.
    pub fn is_named(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.tenant_id) || name.eq_ignore_ascii_case(&self.initial_domain)
    }
}

impl Application {
    /// The job with exactly this id.
    pub fn job(&self, job_id: &str) -> Option<&Job> {
        self.jobs.iter().find(|job| job.id == job_id)
    }
}

impl Scope {
    /// Whether the subject is assigned: listed in `assigned` or `filteredOut`, and not in `notAssigned`.
    /// Ids compare without regard to ASCII case (GUIDs and distinguished names both allow it).
    pub fn is_assigned(&self, subject: &str) -> bool {
        (listed(&self.assigned, subject) || listed(&self.filtered_out, subject))
            && !listed(&self.not_assigned, subject)
    }

    /// Whether the job's scoping filter leaves the subject out.
    pub fn is_filtered_out(&self, subject: &str) -> bool {
        listed(&self.filtered_out, subject)
    }
}

fn listed(list: &[String], subject: &str) -> bool {
    list.iter().any(|id| id.eq_ignore_ascii_case(subject))
}

// ---------------------------------------------------------------------------------------------
// Reading the JSON, with the path of every value for error messages.

/// A JSON value and its path from the root, such as `$.applications[0].jobs`.
struct Node<'a> {
    value: &'a Value,
    path: String,
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Node<'a> {
        Node {
            value,
            path: "$".to_string(),
        }
    }

    /// The member, or None when it is missing or null. Fails when this node is not an object.
    fn member(&self, name: &str) -> Result<Option<Node<'a>>, String> {
        let object = self.value.as_object().ok_or_else(|| {
            format!(
                "{}: expected an object, found {}",
                self.path,
                json_type(self.value)
            )
        })?;
        Ok(match object.get(name) {
            None | Some(Value::Null) => None,
            Some(value) => Some(Node {
                value,
                path: format!("{}.{name}", self.path),
            }),
        })
    }

    fn expected(&self, what: &str) -> String {
        format!(
            "{}: expected {what}, found {}",
            self.path,
            json_type(self.value)
        )
    }

    fn as_string(&self) -> Result<String, String> {
        self.value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| self.expected("a string"))
    }

    /// A required, non-empty string member.
    fn id(&self, name: &str) -> Result<String, String> {
        match self.member(name)? {
            None => Err(format!(
                "{}.{name}: missing; a non-empty string is required",
                self.path
            )),
            Some(node) => {
                let text = node.as_string()?;
                if text.trim().is_empty() {
                    return Err(format!("{}: must not be empty", node.path));
                }
                Ok(text)
            }
        }
    }

    fn string_or(&self, name: &str, default: &str) -> Result<String, String> {
        match self.member(name)? {
            None => Ok(default.to_string()),
            Some(node) => node.as_string(),
        }
    }

    fn optional_string(&self, name: &str) -> Result<Option<String>, String> {
        self.member(name)?.map(|node| node.as_string()).transpose()
    }

    fn bool_or(&self, name: &str, default: bool) -> Result<bool, String> {
        match self.member(name)? {
            None => Ok(default),
            Some(node) => node
                .value
                .as_bool()
                .ok_or_else(|| node.expected("true or false")),
        }
    }

    fn integer_or(&self, name: &str, default: i64) -> Result<i64, String> {
        match self.member(name)? {
            None => Ok(default),
            Some(node) => node
                .value
                .as_i64()
                .ok_or_else(|| node.expected("an integer")),
        }
    }

    /// The items of an array member; a missing member is an empty array.
    fn items(&self, name: &str) -> Result<Vec<Node<'a>>, String> {
        let node = match self.member(name)? {
            None => return Ok(Vec::new()),
            Some(node) => node,
        };
        let items = node
            .value
            .as_array()
            .ok_or_else(|| node.expected("an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, value)| Node {
                value,
                path: format!("{}[{index}]", node.path),
            })
            .collect())
    }

    fn strings(&self, name: &str) -> Result<Vec<String>, String> {
        self.items(name)?
            .iter()
            .map(|item| item.as_string())
            .collect()
    }

    /// `[{"name": …, "value": …}]` or `[{"key": …, "value": …}]` pairs.
    fn pairs(&self, name: &str, key_name: &str) -> Result<Vec<(String, String)>, String> {
        self.items(name)?
            .iter()
            .map(|item| Ok((item.id(key_name)?, item.string_or("value", "")?)))
            .collect()
    }
}

fn read_tenant(root: &Node<'_>) -> Result<Tenant, String> {
    Ok(Tenant {
        tenant_id: root.id("tenantId")?,
        initial_domain: root.string_or("initialDomain", "example.onmicrosoft.com")?,
        applications: collect(root.items("applications")?, read_application)?,
        users: collect(root.items("users")?, |node| {
            Ok(User {
                id: node.id("id")?,
                user_principal_name: node.id("userPrincipalName")?,
                account_enabled: node.bool_or("accountEnabled", true)?,
            })
        })?,
        groups: collect(root.items("groups")?, |node| {
            Ok(Group {
                id: node.id("id")?,
                display_name: node.string_or("displayName", "")?,
                members: node.strings("members")?,
            })
        })?,
        ad_users: collect(root.items("adUsers")?, |node| {
            Ok(AdUser {
                distinguished_name: node.id("distinguishedName")?,
                sam_account_name: node.string_or("samAccountName", "")?,
                user_principal_name: node.string_or("userPrincipalName", "")?,
                enabled: node.bool_or("enabled", true)?,
            })
        })?,
        workers: collect(root.items("workers")?, |node| {
            Ok(Worker {
                worker_id: node.id("workerId")?,
                display_name: node.string_or("displayName", "")?,
                active: node.bool_or("active", true)?,
            })
        })?,
        clients: collect(root.items("clients")?, read_client)?,
        managed_identities: collect(root.items("managedIdentities")?, |node| {
            Ok(ManagedIdentity {
                client_id: node.id("clientId")?,
                principal_id: node.string_or("principalId", "")?,
                system_assigned: node.bool_or("systemAssigned", false)?,
                roles: node.strings("roles")?,
            })
        })?,
    })
}

fn collect<'a, T>(
    nodes: Vec<Node<'a>>,
    read: impl Fn(&Node<'a>) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    nodes.iter().map(read).collect()
}

fn read_application(node: &Node<'_>) -> Result<Application, String> {
    Ok(Application {
        id: node.id("id")?,
        app_id: node.string_or("appId", "")?,
        display_name: node.string_or("displayName", "")?,
        service_principal_id: node.string_or("servicePrincipalId", "")?,
        jobs: collect(node.items("jobs")?, read_job)?,
    })
}

fn read_job(node: &Node<'_>) -> Result<Job, String> {
    let template_id = node.id("templateId")?;
    let default_interval = if kind_of_template(&template_id) == JobKind::CloudSync {
        "PT2M"
    } else {
        "PT40M"
    };
    let (schedule_interval, schedule_state) = match node.member("schedule")? {
        None => (default_interval.to_string(), "Active".to_string()),
        Some(schedule) => (
            schedule.string_or("interval", default_interval)?,
            schedule.string_or("state", "Active")?,
        ),
    };
    let scope = match node.member("scope")? {
        None => Scope::default(),
        Some(scope) => Scope {
            assigned: scope.strings("assigned")?,
            not_assigned: scope.strings("notAssigned")?,
            filtered_out: scope.strings("filteredOut")?,
        },
    };
    Ok(Job {
        id: node.id("id")?,
        template_id,
        status: node.string_or("status", "Active")?,
        schedule_interval,
        schedule_state,
        settings: node.pairs("synchronizationJobSettings", "name")?,
        rules: collect(node.items("rules")?, read_rule)?,
        scope,
        scoping_filter: node.string_or("scopingFilter", "department EQUALS 'Engineering'")?,
    })
}

fn read_rule(node: &Node<'_>) -> Result<Rule, String> {
    let mut metadata = node.pairs("metadata", "key")?;
    // `supportsProvisionOnDemand` in metadata wins over the boolean shorthand.
    let from_metadata = metadata
        .iter()
        .find(|(key, _)| key == "supportsProvisionOnDemand")
        .map(|(_, value)| value.eq_ignore_ascii_case("true"));
    let supports = match from_metadata {
        Some(supports) => supports,
        None => {
            let supports = node.bool_or("supportsProvisionOnDemand", true)?;
            metadata.push((
                "supportsProvisionOnDemand".to_string(),
                supports.to_string(),
            ));
            supports
        }
    };
    let object_mappings = match node.member("objectMappings")? {
        None => None,
        Some(mappings) if mappings.value.is_array() => Some(mappings.value.clone()),
        Some(mappings) => return Err(mappings.expected("an array")),
    };
    Ok(Rule {
        id: node.id("id")?,
        name: node.id("name")?,
        source_directory_name: node.string_or("sourceDirectoryName", "")?,
        target_directory_name: node.string_or("targetDirectoryName", "")?,
        supports_provision_on_demand: supports,
        object_type_name: node.optional_string("objectTypeName")?,
        priority: node.integer_or("priority", 1)?,
        editable: node.bool_or("editable", true)?,
        metadata,
        object_mappings,
    })
}

fn read_client(node: &Node<'_>) -> Result<Client, String> {
    let mut secrets = node.strings("clientSecrets")?;
    if let Some(secret) = node.optional_string("clientSecret")? {
        secrets.push(secret);
    }
    let mut certificates = Vec::new();
    for item in node.items("certificates")? {
        let pem = item.id("pem")?;
        let certificate = Certificate::from_pem(&pem)
            .map_err(|problem| format!("{}.pem: {problem}", item.path))?;
        if let Some(thumbprint) = item.optional_string("thumbprint")? {
            if !certificate.matches_hex_thumbprint(&thumbprint) {
                return Err(format!(
                    "{}.thumbprint: '{thumbprint}' is not the SHA-1 thumbprint of the certificate in pem ({})",
                    item.path,
                    certificate.hex_thumbprint()
                ));
            }
        }
        certificates.push(certificate);
    }
    let client_id = node.id("clientId")?;
    if secrets.is_empty() && certificates.is_empty() {
        return Err(format!(
            "{}: client '{client_id}' has no clientSecret, clientSecrets or certificates, so it could never sign in",
            node.path
        ));
    }
    Ok(Client {
        display_name: node.string_or("displayName", &client_id)?,
        client_id,
        secrets,
        certificates,
        roles: node.strings("roles")?,
    })
}

/// Rejects two objects of one kind with the same id, naming both paths.
fn check_unique_ids(tenant: &Tenant) -> Result<(), String> {
    fn unique<'a>(
        kind: &str,
        ids: impl Iterator<Item = (String, &'a str)>,
    ) -> Result<(), String> {
        let mut seen: HashMap<String, String> = HashMap::new();
        for (path, id) in ids {
            if let Some(first) = seen.insert(id.to_ascii_lowercase(), path.clone()) {
                return Err(format!(
                    "{path}: duplicate {kind} id '{id}', already used at {first}"
                ));
            }
        }
        Ok(())
    }

    unique(
        "application",
        tenant
            .applications
            .iter()
            .enumerate()
            .map(|(i, app)| (format!("$.applications[{i}].id"), app.id.as_str())),
    )?;
    unique(
        "service principal",
        tenant
            .applications
            .iter()
            .enumerate()
            .filter(|(_, app)| !app.service_principal_id.is_empty())
            .map(|(i, app)| {
                (
                    format!("$.applications[{i}].servicePrincipalId"),
                    app.service_principal_id.as_str(),
                )
            }),
    )?;
    for (i, app) in tenant.applications.iter().enumerate() {
        unique(
            "job",
            app.jobs
                .iter()
                .enumerate()
                .map(|(j, job)| (format!("$.applications[{i}].jobs[{j}].id"), job.id.as_str())),
        )?;
        for (j, job) in app.jobs.iter().enumerate() {
            unique(
                "rule",
                job.rules.iter().enumerate().map(|(k, rule)| {
                    (
                        format!("$.applications[{i}].jobs[{j}].rules[{k}].id"),
                        rule.id.as_str(),
                    )
                }),
            )?;
        }
    }
    unique(
        "user",
        tenant
            .users
            .iter()
            .enumerate()
            .map(|(i, user)| (format!("$.users[{i}].id"), user.id.as_str())),
    )?;
    unique(
        "group",
        tenant
            .groups
            .iter()
            .enumerate()
            .map(|(i, group)| (format!("$.groups[{i}].id"), group.id.as_str())),
    )?;
    unique(
        "client",
        tenant
            .clients
            .iter()
            .enumerate()
            .map(|(i, client)| (format!("$.clients[{i}].clientId"), client.client_id.as_str())),
    )?;
    unique(
        "managed identity",
        tenant.managed_identities.iter().enumerate().map(|(i, identity)| {
            (
                format!("$.managedIdentities[{i}].clientId"),
                identity.client_id.as_str(),
            )
        }),
    )?;
    let system_assigned = tenant
        .managed_identities
        .iter()
        .enumerate()
        .filter(|(_, identity)| identity.system_assigned)
        .map(|(i, _)| i)
        .collect::<Vec<_>>();
    if system_assigned.len() > 1 {
        return Err(format!(
            "$.managedIdentities[{}].systemAssigned: only one managed identity may be system-assigned; $.managedIdentities[{}] already is",
            system_assigned[1], system_assigned[0]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_fixture_parses_and_holds_the_case_tenant() {
        let tenant = Tenant::builtin().expect("built-in fixture");
        assert!(tenant
            .application_by_id("5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60")
            .is_some());
        assert!(tenant
            .application_by_service_principal("6d7e8f90-0000-4000-8000-0000000000b4")
            .is_some());
        assert!(tenant.worker("000123").is_some());
        assert!(tenant.worker("123").is_none());
    }

    #[test]
    fn errors_name_the_json_path() {
        let error = Tenant::from_json(
            r#"{"tenantId":"t","applications":[{"id":"a","jobs":[{"id":"j","templateId":"scim","rules":[{"name":"X"}]}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            error,
            "$.applications[0].jobs[0].rules[0].id: missing; a non-empty string is required"
        );
        let error = Tenant::from_json(r#"{"tenantId":"t","users":[{"id":"u","userPrincipalName":"x","accountEnabled":"yes"}]}"#)
            .unwrap_err();
        assert_eq!(
            error,
            "$.users[0].accountEnabled: expected true or false, found a string"
        );
    }
}
