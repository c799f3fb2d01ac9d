//! A generator of realistic synthetic sites: zones behind several firewalls, stdlib roles
//! (NIM, ITM, IPMI), groups, explicit allows and denies, and expectations. Deterministic: the
//! same size gives the same site.

/// One generated site: file names and contents.
pub struct GeneratedSite {
    pub files: Vec<(String, String)>,
    pub lines: usize,
}

/// A site of roughly `hosts` hosts, spread over `zones` zones in a chain of firewalls.
pub fn generate(hosts: usize, zones: usize) -> GeneratedSite {
    let zones = zones.max(2);
    let mut topology = String::from("import nim\nimport itm\nimport ipmi\n\n");
    for zone in 0..zones {
        topology.push_str(&format!("zone z{zone} = 10.{zone}.0.0/16\n"));
    }
    topology.push_str("zone internet = any\n\n");
    // Firewalls join consecutive zones: paths cross several of them.
    for firewall in 0..zones - 1 {
        topology.push_str(&format!(
            "firewall fw{firewall} {{\n  zones z{firewall}, z{}\n}}\n\n",
            firewall + 1
        ));
    }
    topology.push_str("firewall edge {\n  zones z0, internet\n}\n\n");
    topology.push_str("host nim01 = 10.0.0.10 is nim.master(nfs = 4, tftp_helper = true)\n");
    topology.push_str("host tems01 = 10.0.0.30 is itm.hub_tems\n");
    topology.push_str("host mgr01 = 10.0.0.40 is ipmi.manager\n");
    topology.push_str("lint broad-range = allow\nlint insecure-service = allow\nlint redundant = allow\nlint unused = allow\n");
    let mut files = vec![("topology.flow".to_string(), topology)];
    let per_file = 500;
    let mut hosts_text = String::new();
    let mut rules_text = String::new();
    let mut file_index = 0;
    for host in 0..hosts {
        let zone = host % zones;
        let (third, fourth) = (1 + (host / zones) / 250, 1 + (host / zones) % 250);
        let role = match host % 10 {
            0 => " is nim.client(master = nim01)".to_string(),
            1 => format!(" is itm.agent(tems = tems01, count = {})", 1 + host % 3),
            2 => " is ipmi.bmc".to_string(),
            _ => String::new(),
        };
        hosts_text.push_str(&format!(
            "host h{host} = 10.{zone}.{third}.{fourth}{role}\n"
        ));
        if host % 4 == 0 {
            let peer = (host * 7 + 3) % hosts;
            rules_text.push_str(&format!(
                "allow h{host} -> h{peer} : tcp {}\n",
                8000 + host % 500
            ));
        }
        if host % 50 == 0 {
            rules_text.push_str(&format!(
                "deny h{host} -> z{} : tcp 23\n",
                (zone + 1) % zones
            ));
            rules_text.push_str(&format!("expect h{host} -> nim01 : tcp 22 denied\n"));
        }
        if (host + 1) % per_file == 0 || host + 1 == hosts {
            files.push((
                format!("hosts{file_index}.flow"),
                std::mem::take(&mut hosts_text),
            ));
            files.push((
                format!("rules{file_index}.flow"),
                std::mem::take(&mut rules_text),
            ));
            file_index += 1;
        }
    }
    let lines = files.iter().map(|(_, text)| text.lines().count()).sum();
    GeneratedSite { files, lines }
}
