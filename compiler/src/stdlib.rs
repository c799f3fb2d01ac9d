//! The standard library modules, embedded in the binary from `stdlib/*.flow`.

/// The module that is always in scope, unqualified, without an `import`.
pub const PRELUDE: &str = "net";

/// Every stdlib module: its name (the file stem) and its text.
pub const MODULES: &[(&str, &str)] = &[
    ("net", include_str!("../../stdlib/net.flow")),
    ("nim", include_str!("../../stdlib/nim.flow")),
    ("xcat", include_str!("../../stdlib/xcat.flow")),
    ("hmc", include_str!("../../stdlib/hmc.flow")),
    ("itm", include_str!("../../stdlib/itm.flow")),
    ("ipmi", include_str!("../../stdlib/ipmi.flow")),
];

/// The name users see for a stdlib file in diagnostics and editors.
pub fn file_name(module: &str) -> String {
    format!("stdlib/{module}.flow")
}

pub fn module_names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(name, _)| *name)
}
