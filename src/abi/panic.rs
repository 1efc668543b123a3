//! The panic boundary around every export.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::status::MgStatus;

/// Runs an export's body and turns a panic into `MgStatus::Panic`, so that no unwind crosses
/// into C. The panic message still goes to the panic hook (stderr by default).
pub(super) fn ffi_boundary(body: impl FnOnce() -> MgStatus) -> MgStatus {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(MgStatus::Panic)
}
