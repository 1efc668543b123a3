//! Generates the C header `include/mg_provisioning.h` from the Rust sources with cbindgen.
//!
//! The header is committed; a test fails when the committed copy differs from what this script
//! generates, so a change to the ABI always shows in review.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src/abi");
    println!("cargo:rerun-if-changed=src/status.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is readable");
    // Parsing the ABI files directly avoids `cargo metadata`, which would need the crate registry.
    let bindings = match cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src").join("status.rs"))
        .with_src(crate_dir.join("src").join("abi").join("mod.rs"))
        .generate()
    {
        Ok(bindings) => bindings,
        Err(error) => {
            // A source that does not parse fails in rustc with a better message; keep the old header.
            println!("cargo:warning=cbindgen could not generate the header: {error}");
            return;
        }
    };

    let header = crate_dir.join("include").join("mg_provisioning.h");
    let generated = std::env::var("OUT_DIR").map(PathBuf::from).expect("cargo sets OUT_DIR").join("mg_provisioning.h");
    bindings.write_to_file(&generated);
    // write_to_file leaves the file untouched when the content is unchanged.
    bindings.write_to_file(&header);
}
