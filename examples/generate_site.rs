//! Writes a generated site (`benches/support/generate.rs`) to a folder, for timing the `flowc`
//! binary on it: `cargo run --release --example generate_site -- HOSTS ZONES FOLDER`.

#[path = "../benches/support/generate.rs"]
mod generate;

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [hosts, zones, folder] = arguments.as_slice() else {
        eprintln!("usage: generate_site HOSTS ZONES FOLDER");
        std::process::exit(2);
    };
    let (Ok(hosts), Ok(zones)) = (hosts.parse(), zones.parse()) else {
        eprintln!("HOSTS and ZONES are numbers");
        std::process::exit(2);
    };
    let site = generate::generate(hosts, zones);
    std::fs::create_dir_all(folder).expect("the folder can be created");
    for (name, text) in &site.files {
        std::fs::write(std::path::Path::new(folder).join(name), text).expect("the file is written");
    }
    println!("{} files, {} lines", site.files.len(), site.lines);
}
