//! Criterion benches of the core's CPU work on one call, without the network:
//! converting and serializing the body, building the URL from the request envelope,
//! and decoding a result or an error response.
//!
//! Run: `cargo bench --bench core`. `bench/Invoke-Benchmarks.ps1` runs it with shorter warm-up
//! and measurement times and reads the estimates that criterion writes under
//! `target/criterion/<group>/<function>/new/estimates.json`.
//!
//! Each group has a baseline: plain serde_json on the same text, the floor for that step.
//! The inputs are what the module really handles: the hashtable keys a user types
//! (`RuleId`, `Subjects`, ...), a group with members, and a 2.4 KB response that the
//! emulator sent for a user who was already in sync.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mg_provisioning::body::BodyConverter;
use mg_provisioning::request::RequestEnvelope;
use mg_provisioning::response::{decode_error, decode_result, HttpAnswer};
use serde_json::Value;

/// A -BodyParameter value as the interop assembly renders a user's hashtable: a group with
/// five members, keys in the casing users type.
const BODY_PARAMETER: &str = r#"{
  "Parameters": [{
    "RuleId": "e1a2b3c4-0002-4000-8000-000000000002#V2",
    "Subjects": [{
      "ObjectId": "22222222-aaaa-4bbb-8ccc-000000000002",
      "ObjectTypeName": "Group",
      "Links": { "Members": [
        { "ObjectId": "11111111-aaaa-4bbb-8ccc-000000000001", "ObjectTypeName": "User" },
        { "ObjectId": "11111111-aaaa-4bbb-8ccc-000000000002", "ObjectTypeName": "User" },
        { "ObjectId": "11111111-aaaa-4bbb-8ccc-000000000004", "ObjectTypeName": "User" },
        { "ObjectId": "11111111-aaaa-4bbb-8ccc-000000000006", "ObjectTypeName": "User" },
        { "ObjectId": "11111111-aaaa-4bbb-8ccc-000000000007", "ObjectTypeName": "User" }
      ] }
    }]
  }]
}"#;

/// The envelope the interop assembly sends for one user in the ProvisionExpanded parameter set.
const ENVELOPE: &str = r#"{
  "command": "New-MgBetaApplicationSynchronizationJobOnDemand",
  "parameterSet": "ProvisionExpanded",
  "apiVersion": "beta",
  "root": "applications",
  "id": "5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60",
  "synchronizationJobId": "scim.8f14e45fceea167a5a36dedd4bea2543",
  "parameters": [{ "RuleId": "e1a2b3c4-0001-4000-8000-000000000001",
                   "Subjects": [{ "ObjectId": "11111111-aaaa-4bbb-8ccc-000000000002", "ObjectTypeName": "User" }] }],
  "headers": {},
  "timeoutSeconds": 300,
  "retry": { "maxRetry": 3, "retryDelaySeconds": 3, "retriesTimeLimitSeconds": 0 },
  "pacing": { "enabled": true, "limit": 5, "windowSeconds": 10 }
}"#;

/// A 200 response body from the emulator: a RedundantExport skip with its four provisioning steps.
const RESULT_BODY: &str = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#microsoft.graph.stringKeyStringValuePair","key":"{\"result\":\"Skipped\",\"details\":{\"errorCode\":\"RedundantExport\",\"errorMessage\":\"The source and target are already in sync; no change was needed\"}}","value":"{\"action\":\"Other\",\"changeId\":\"087f81c6-5255-429d-ae61-3a09fb768e76\",\"startTime\":\"2026-12-04T21:36:37.8990711Z\",\"endTime\":\"2026-12-04T21:36:38.1484501Z\",\"modifiedProperties\":[],\"provisioningSteps\":[{\"name\":\"EntryImport\",\"type\":\"Import\",\"status\":\"Success\",\"description\":\"Retrieved User 'sam.roe@example.com' from Azure Active Directory\",\"timestamp\":\"2026-12-04T21:36:38.0101811Z\",\"details\":{\"objectId\":\"11111111-aaaa-4bbb-8ccc-000000000002\",\"userPrincipalName\":\"sam.roe@example.com\"}},{\"name\":\"EntrySynchronizationScoping\",\"type\":\"Scoping\",\"status\":\"Success\",\"description\":\"Determine if User in scope by evaluating against each scoping filter\",\"timestamp\":\"2026-12-04T21:36:38.0225261Z\",\"details\":{\"Active in the source system\":\"True\",\"Assigned to the application\":\"True\",\"User has the required role\":\"True\",\"Scoping filter evaluation passed\":\"True\",\"ScopeEvaluationResult\":\"{}\"}},{\"name\":\"EntryImport\",\"type\":\"Matching\",\"status\":\"Success\",\"description\":\"Retrieved User 'sam.roe@example.com' from customappsso\",\"timestamp\":\"2026-12-04T21:36:38.0348711Z\",\"details\":{\"userName\":\"sam.roe@example.com\"}},{\"name\":\"EntrySynchronizationSkip\",\"type\":\"Export\",\"status\":\"Skipped\",\"description\":\"The source and target are already in sync; no change was needed\",\"timestamp\":\"2026-12-04T21:36:38.0472161Z\",\"details\":{\"SkipReason\":\"RedundantExport\"}}],\"reportableIdentifier\":\"sam.roe@example.com\",\"statusInfo\":{\"status\":\"Skipped\",\"errorCode\":null,\"reason\":null,\"additionalDetails\":null,\"errorCategory\":null,\"recommendedAction\":null},\"sourceIdentity\":{\"id\":\"11111111-aaaa-4bbb-8ccc-000000000002\",\"type\":\"User\",\"displayName\":null,\"details\":null},\"sourceSystem\":{\"id\":null,\"name\":\"Azure Active Directory\",\"details\":null},\"targetIdentity\":{\"id\":\"5da253d4-5819-4f62-82d5-e685bfe455c5\",\"type\":\"urn:ietf:params:scim:schemas:core:2.0:User\",\"displayName\":null,\"details\":null},\"targetSystem\":{\"id\":null,\"name\":\"customappsso\",\"details\":null}}"}"#;

/// A 404 response body in Graph's error envelope.
const ERROR_BODY: &str = r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'nope' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2026-12-04T21:36:37","request-id":"a7da244b-b3f9-4ce3-b950-562f0f15ac5b","client-request-id":"c4440b5d-a046-4a23-a5a4-86c003f4bd17"}}}"#;

fn answer_headers() -> Vec<(String, Vec<String>)> {
    [
        ("content-type", "application/json"),
        ("request-id", "a7da244b-b3f9-4ce3-b950-562f0f15ac5b"),
        ("client-request-id", "c4440b5d-a046-4a23-a5a4-86c003f4bd17"),
        ("date", "Fri, 04 Dec 2026 21:36:37 GMT"),
        ("cache-control", "no-cache"),
    ]
    .iter()
    .map(|(name, value)| (name.to_string(), vec![value.to_string()]))
    .collect()
}

fn body_serialization(c: &mut Criterion) {
    let input: Value = serde_json::from_str(BODY_PARAMETER).expect("the body parameter is JSON");
    let mut group = c.benchmark_group("body");

    group.bench_function("convert_and_to_json", |b| {
        b.iter(|| {
            let mut converter = BodyConverter::new();
            let body = converter.body(black_box(&input), "BodyParameter").expect("the body converts");
            body.to_json()
        })
    });

    let body = BodyConverter::new().body(&input, "BodyParameter").expect("the body converts");
    group.bench_function("to_json", |b| b.iter(|| black_box(&body).to_json()));

    // Baseline: serde_json writing the input as a generic value, with no conversion or checks.
    group.bench_function("baseline_value_to_string", |b| {
        b.iter(|| serde_json::to_string(black_box(&input)).expect("a value serializes"))
    });
    group.finish();
}

fn url_building(c: &mut Criterion) {
    let envelope = RequestEnvelope::from_json(ENVELOPE).expect("the envelope parses");
    let mut group = c.benchmark_group("request");

    group.bench_function("resolve", |b| {
        b.iter(|| black_box(&envelope).resolve().expect("the envelope resolves"))
    });
    group.bench_function("from_json_and_resolve", |b| {
        b.iter(|| {
            RequestEnvelope::from_json(black_box(ENVELOPE))
                .expect("the envelope parses")
                .resolve()
                .expect("the envelope resolves")
        })
    });

    // Baseline: serde_json parsing the envelope into a generic value.
    group.bench_function("baseline_parse_value", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(ENVELOPE)).expect("the envelope is JSON"))
    });
    group.finish();
}

fn response_decoding(c: &mut Criterion) {
    let not_found = HttpAnswer { status: 404, headers: answer_headers(), body: ERROR_BODY.to_string() };
    let throttled = HttpAnswer { status: 429, headers: answer_headers(), body: String::new() };
    let mut group = c.benchmark_group("response");

    group.bench_function("decode_result", |b| {
        b.iter(|| decode_result(black_box(RESULT_BODY)).expect("the result decodes"))
    });
    // Baseline: serde_json parsing the same body into a generic value, with nothing taken out of it.
    group.bench_function("baseline_parse_value", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(RESULT_BODY)).expect("the body is JSON"))
    });
    group.bench_function("decode_error_envelope", |b| b.iter(|| decode_error(black_box(&not_found))));
    group.bench_function("decode_error_empty_body", |b| b.iter(|| decode_error(black_box(&throttled))));
    group.finish();
}

criterion_group!(benches, body_serialization, url_building, response_decoding);
criterion_main!(benches);
