//! `Dockerfile` and `deploy/` against the binary they run: every command
//! and flag they pass, and every `POSFAQ_*` variable they set, is one the
//! binary has (`posfaq <command> --help`); probes hit `/readyz` and
//! `/healthz` on the port the server listens on; the image, ports and
//! names agree across files. `.ci/run` also lints them with hadolint and
//! kubernetes-validate.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn manifest(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("deploy").join(name)).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("deploy/{name}: {e}"))
}

fn help(command: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args([command, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "posfaq {command} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// Checks that the flags of `args` (`[command, --flag, value, ...]`) are
/// flags of that command.
fn assert_flags_exist(args: &[Value], at: &str) {
    let command = args[0].as_str().unwrap();
    let help = help(command);
    for flag in args[1..].iter().filter_map(Value::as_str) {
        if let Some(name) = flag.strip_prefix("--") {
            let name = name.split('=').next().unwrap();
            assert!(
                help.contains(&format!("--{name} ")) || help.contains(&format!("--{name}\n")),
                "{at}: posfaq {command} has no --{name}"
            );
        }
    }
}

/// The `POSFAQ_*` variables any command of the binary reads.
fn known_variables() -> BTreeSet<String> {
    ["serve", "index", "publish"]
        .iter()
        .flat_map(|c| {
            help(c)
                .split("[env: ")
                .skip(1)
                .filter_map(|s| s.split(['=', ']']).next().map(String::from))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn containers(pod: &Value) -> Vec<&Value> {
    let spec = &pod["spec"];
    ["initContainers", "containers"]
        .iter()
        .flat_map(|k| spec[k].as_array().into_iter().flatten())
        .collect()
}

#[test]
fn the_deployment_runs_flags_the_binary_has_and_probes_its_routes() {
    let deployment = manifest("deployment.yaml");
    let template = &deployment["spec"]["template"];
    let [container] = containers(template)[..] else {
        panic!("one container");
    };
    let args = container["args"].as_array().unwrap();
    assert_eq!(args[0], "serve");
    assert_flags_exist(args, "deploy/deployment.yaml");
    let addr = args
        .windows(2)
        .find(|w| w[0] == "--addr")
        .and_then(|w| w[1].as_str())
        .unwrap();
    let port = &container["ports"][0];
    assert_eq!(
        addr.rsplit(':').next().unwrap(),
        port["containerPort"].to_string()
    );
    assert!(
        addr.starts_with("0.0.0.0:"),
        "a replica must listen beyond loopback"
    );
    for (probe, path) in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")] {
        assert_eq!(container[probe]["httpGet"]["path"], path);
        assert_eq!(container[probe]["httpGet"]["port"], port["name"]);
    }
    let index = args
        .windows(2)
        .find(|w| w[0] == "--index")
        .and_then(|w| w[1].as_str())
        .unwrap();
    assert!(
        container["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["mountPath"] == index),
        "the index folder is a volume (the root filesystem is read-only)"
    );
    assert_eq!(
        template["metadata"]["labels"],
        deployment["spec"]["selector"]["matchLabels"]
    );

    let service = manifest("service.yaml");
    assert_eq!(service["spec"]["selector"], template["metadata"]["labels"]);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], port["name"]);
    let hpa = manifest("hpa.yaml");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"],
        deployment["metadata"]["name"]
    );
}

#[test]
fn the_job_indexes_then_publishes_with_the_replicas_image() {
    let job = manifest("publish-job.yaml");
    let image = containers(&manifest("deployment.yaml")["spec"]["template"])[0]["image"].clone();
    let steps = containers(&job["spec"]["template"]);
    let commands: Vec<&str> = steps
        .iter()
        .map(|c| c["args"][0].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["index", "publish"]);
    for step in steps {
        assert_eq!(step["image"], image);
        assert_flags_exist(step["args"].as_array().unwrap(), "deploy/publish-job.yaml");
    }
}

#[test]
fn the_configuration_sets_variables_the_binary_reads() {
    let known = known_variables();
    let config = manifest("configmap.yaml");
    let deployment = manifest("deployment.yaml");
    let set: Vec<String> = config["data"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .chain(
            containers(&deployment["spec"]["template"])[0]["env"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["name"].as_str().unwrap().to_string()),
        )
        .filter(|k| k.starts_with("POSFAQ_"))
        .collect();
    assert!(set.contains(&"POSFAQ_FOLLOW".to_string()));
    for variable in set {
        assert!(
            known.contains(&variable),
            "{variable} is read by no command ({known:?})"
        );
    }
}

#[test]
fn the_image_runs_the_binary_unprivileged_on_the_deployment_port() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let line = |instruction: &str| -> Vec<&str> {
        dockerfile
            .lines()
            .filter(|l| l.starts_with(instruction))
            .map(|l| l[instruction.len()..].trim())
            .collect()
    };
    let deployment = manifest("deployment.yaml");
    let container = &containers(&deployment["spec"]["template"])[0];
    assert_eq!(
        line("EXPOSE "),
        [container["ports"][0]["containerPort"].to_string()]
    );
    assert_eq!(line("ENTRYPOINT "), [r#"["posfaq"]"#]);
    let user = line("USER ");
    assert!(
        !user.is_empty()
            && user
                .iter()
                .all(|u| !u.starts_with("root") && !u.starts_with("0"))
    );
    let uid = deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"].to_string();
    assert!(user.iter().all(|u| u.starts_with(&format!("{uid}:"))));
    for variable in line("ENV ")
        .iter()
        .chain(&line("    "))
        .filter_map(|l| l.split('=').next())
        .filter(|k| k.starts_with("POSFAQ_"))
    {
        assert!(
            known_variables().contains(variable),
            "Dockerfile sets {variable}"
        );
    }
    // The last stage is what `docker build` makes by default: the image
    // without an index, which the Deployment runs.
    let last_from = line("FROM ").last().copied().unwrap();
    assert!(last_from.ends_with("AS runtime"), "{last_from}");
}
