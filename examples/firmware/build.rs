//! Put the memory layout, `memory/plain.x` or (feature `tls`)
//! `memory/tls.x`, where the linker (via cortex-m-rt's `link.x`) finds it
//! as `memory.x`;
//! with the `tls` feature, copy the CA certificate (DER) that
//! `WSFRAME_FIRMWARE_CA` names to `OUT_DIR/ca.der`, where `src/tls.rs`
//! includes it. No CA is committed: the test (or whoever builds) makes one.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let tls = env::var_os("CARGO_FEATURE_TLS").is_some();
    // The wss:// build links with more RAM (memory/tls.x says why). No
    // file named memory.x may sit in this directory: the linker, run here,
    // would find it before this one.
    let memory = if tls {
        "memory/tls.x"
    } else {
        "memory/plain.x"
    };
    fs::copy(memory, out.join("memory.x")).expect("copy the memory layout");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");

    if tls {
        println!("cargo:rerun-if-env-changed=WSFRAME_FIRMWARE_CA");
        let Some(path) = env::var_os("WSFRAME_FIRMWARE_CA") else {
            panic!(
                "the tls feature needs WSFRAME_FIRMWARE_CA=PATH, the CA certificate \
                 (DER) the server's certificate must be signed by"
            );
        };
        let path = PathBuf::from(path);
        println!("cargo:rerun-if-changed={}", path.display());
        let der = fs::read(&path)
            .unwrap_or_else(|e| panic!("WSFRAME_FIRMWARE_CA={}: {e}", path.display()));
        // A DER certificate is a SEQUENCE (0x30); PEM starts with '-'.
        assert!(
            der.first() == Some(&0x30),
            "WSFRAME_FIRMWARE_CA={} is not a DER certificate (PEM? `openssl x509 -outform der`)",
            path.display()
        );
        fs::write(out.join("ca.der"), der).expect("write ca.der");
    }
}
