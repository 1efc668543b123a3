//! The tenant the emulator serves: applications with their synchronization jobs, and the
//! directory objects (users, groups, AD users, Workday workers) those jobs provision.
//!
//! The format is the neutral JSON of the conformance cases' `tenant.json`. Members the
//! emulator does not know are ignored, so a fixture can carry notes or data for later versions.

use serde::Deserialize;

/// The built-in fixture, compiled into the binary.
const DEFAULT_FIXTURE: &str = include_str!("default-fixture.json");

/// A whole tenant as the fixture describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// The tenant's id (a GUID in real tenants).
    #[serde(default)]
    pub tenant_id: String,
    /// The tenant's `*.onmicrosoft.com` domain, used to build guest user names for cross-tenant sync.
    #[serde(default = "default_initial_domain")]
    pub initial_domain: String,
    /// Applications, each with its service principal and synchronization jobs.
    #[serde(default)]
    pub applications: Vec<Application>,
    /// Entra ID users.
    #[serde(default)]
    pub users: Vec<User>,
    /// Entra ID groups.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// On-premises Active Directory users, found by distinguished name (Cloud Sync).
    #[serde(default)]
    pub ad_users: Vec<AdUser>,
    /// Workday workers, found by Worker ID.
    #[serde(default)]
    pub workers: Vec<Worker>,
}

fn default_initial_domain() -> String {
    "example.onmicrosoft.com".to_string()
}

/// An application and its service principal; both ids lead to the same jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The application's object id (the `{id}` of `/applications/{id}`).
    pub id: String,
    /// The application (client) id. Never part of a path.
    #[serde(default)]
    #[allow(dead_code)] // part of the tenant's picture; no answer uses it yet
    pub app_id: String,
    /// The name shown in the portal.
    #[serde(default)]
    #[allow(dead_code)] // part of the tenant's picture; no answer uses it yet
    pub display_name: String,
    /// The service principal's object id (the `{id}` of `/servicePrincipals/{id}`).
    #[serde(default)]
    pub service_principal_id: String,
    /// The application's synchronization jobs.
    #[serde(default)]
    pub jobs: Vec<Job>,
}

/// One synchronization job with its schema's rules and the subjects it has in scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The job id, such as `scim.{32 hex}`; opaque, may contain dots.
    pub id: String,
    /// The template the job was made from (`scim`, `AD2AADProvisioning`, `Azure2Azure`, `Workday2AD`, ...).
    pub template_id: String,
    /// The job's status code (`Active`, `Paused`, ...). Informational for now.
    #[serde(default)]
    #[allow(dead_code)] // part of the tenant's picture; no answer uses it yet
    pub status: String,
    /// The synchronization rules of the job's schema.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Which subjects the job provisions.
    #[serde(default)]
    pub scope: Scope,
}

/// A synchronization rule of a job's schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// The rule id sent as `ruleId`; may carry a suffix such as `#V2`.
    pub id: String,
    /// The rule name, such as `USER_OUTBOUND_USER` or `GROUP_OUTBOUND_GROUP`.
    pub name: String,
    /// The directory the rule reads from, used in step descriptions.
    #[serde(default)]
    pub source_directory_name: String,
    /// The directory the rule writes to, used in step descriptions.
    #[serde(default)]
    pub target_directory_name: String,
    /// Whether the rule may be used for provisioning on demand.
    #[serde(default = "default_true")]
    pub supports_provision_on_demand: bool,
    /// The `objectTypeName` the rule takes, when it differs from what the job's template implies.
    #[serde(default)]
    pub object_type_name: Option<String>,
}

fn default_true() -> bool {
    true
}

/// The subjects a job has in scope. A subject in neither list is not assigned.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Object ids, distinguished names or Worker IDs assigned to the job.
    #[serde(default)]
    pub assigned: Vec<String>,
    /// Subjects known to be out of scope.
    #[serde(default)]
    pub not_assigned: Vec<String>,
}

/// An Entra ID user.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's object id.
    pub id: String,
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// Whether the account is enabled; a disabled account is not provisioned.
    #[serde(default = "default_true")]
    pub account_enabled: bool,
}

/// An Entra ID group.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group's object id.
    pub id: String,
    /// The group's name.
    #[serde(default)]
    pub display_name: String,
    /// Object ids of the group's members.
    #[serde(default)]
    #[allow(dead_code)] // part of the tenant's picture; no answer uses it yet
    pub members: Vec<String>,
}

/// An on-premises Active Directory user.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdUser {
    /// The distinguished name, with AD's own escapes (`CN=Doe\, Jane,OU=...`).
    pub distinguished_name: String,
    /// The pre-Windows 2000 logon name.
    #[serde(default)]
    pub sam_account_name: String,
    /// The user's sign-in name.
    #[serde(default)]
    pub user_principal_name: String,
    /// Whether the account is enabled.
    #[serde(default = "default_true")]
    pub enabled: bool,
}

/// A Workday worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Worker {
    /// The Worker ID (WID); leading zeros matter.
    pub worker_id: String,
    /// The worker's display name.
    #[serde(default)]
    pub display_name: String,
    /// Whether the worker is active in Workday.
    #[serde(default = "default_true")]
    pub active: bool,
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

impl Job {
    /// The kind of provisioning this job does.
    pub fn kind(&self) -> JobKind {
        let template = self.template_id.to_ascii_lowercase();
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
    /// Parses a fixture from JSON text.
    pub fn from_json(text: &str) -> Result<Tenant, String> {
        serde_json::from_str(text).map_err(|error| format!("the fixture is not valid: {error}"))
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
}

impl Application {
    /// The job with exactly this id.
    pub fn job(&self, job_id: &str) -> Option<&Job> {
        self.jobs.iter().find(|job| job.id == job_id)
    }
}

impl Scope {
    /// Whether the subject is assigned: listed in `assigned` and not in `notAssigned`.
    /// Ids compare without regard to ASCII case (GUIDs and distinguished names both allow it).
    pub fn is_assigned(&self, subject: &str) -> bool {
        let listed = |list: &[String]| list.iter().any(|id| id.eq_ignore_ascii_case(subject));
        listed(&self.assigned) && !listed(&self.not_assigned)
    }
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
}
