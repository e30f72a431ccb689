#!/usr/bin/env python3
"""Offline checks of everything under deploy/, helm/docingest/ and config/production.example.toml.

Run by .ci/steps/40-deploy-check.sh inside its venv (helm-python-sdk, kubernetes-validate, PyYAML).
No cluster, no docker, no network. What it guarantees when it exits 0:

- the chart lints clean (no warning or error) and renders with its default values and with every
  values file in helm/docingest/ci/; each values set passes values.schema.json;
- every rendered built-in Kubernetes object validates (strict, no unknown fields) against the
  oldest and newest Kubernetes schemas kubernetes-validate ships from the chart's supported range;
- the objects it cannot know (KEDA ScaledObject/TriggerAuthentication, ServiceMonitor) carry the
  fields KEDA / prometheus-operator need, pointing at objects that exist;
- cross-object wiring: selectors match the worker pods and only them, secretKeyRefs and config maps
  exist (or are the declared existingSecret), the topology hook's dependencies are hooks created
  before it, terminationGracePeriodSeconds > preStop sleep + drain timeout and the drain timeout
  env var equals the value, the checksum/config annotation is the sha256 of the rendered ConfigMap
  and changes with the config;
- every rendered production.toml, config/production.example.toml and every DOCINGEST_* variable
  (chart and compose) only names keys of config/default.toml, with the default's type;
- deploy/docker-compose.yml has the services and start-up conditions that make an upload produce
  a result with no glue, MinIO's AMQP target matches the topology docingest declares and a queue
  is bound to the results exchange;
- deploy/Dockerfile builds --locked, runs as a numeric non-root UID equal to the chart's, exposes
  the metrics port and defaults to `worker`;
- negative cases fail: an unknown config key or a secret in the config is rejected.

Every failure is collected and printed; the exit code is the number of failures (capped at 1).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import helm_python as helm
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm" / "docingest"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DEFAULT_TOML = ROOT / "config" / "default.toml"
PRODUCTION_EXAMPLE = ROOT / "config" / "production.example.toml"

RELEASE = "docingest"
NAMESPACE = "docingest"
# Oldest supported (Chart.yaml kubeVersion >= 1.25) and the newest schemas shipped.
K8S_VERSIONS = ["1.25", kubernetes_validate.utils.latest_version()]
# Kinds kubernetes-validate has no schema for; checked by hand below.
CUSTOM_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}

failures: list[str] = []


def check(cond: bool, what: str) -> bool:
    if not cond:
        failures.append(what)
        print(f"FAIL {what}")
    return cond


def ok(what: str) -> None:
    print(f"ok   {what}")


# --------------------------------------------------------------------------------------------- config

DEFAULTS = tomllib.loads(DEFAULT_TOML.read_text())


def toml_type(v: object) -> str:
    # bool before int: bool is an int subclass in Python.
    for t in (bool, int, float, str, list, dict):
        if isinstance(v, t):
            return t.__name__
    return type(v).__name__


def check_config_keys(doc: dict, where: str) -> None:
    """Every [section].key exists in config/default.toml with the same TOML type."""
    for section, keys in doc.items():
        if not check(section in DEFAULTS and isinstance(keys, dict), f"{where}: unknown section [{section}]"):
            continue
        for key, value in keys.items():
            if not check(key in DEFAULTS[section], f"{where}: unknown key {section}.{key}"):
                continue
            want, got = toml_type(DEFAULTS[section][key]), toml_type(value)
            check(want == got, f"{where}: {section}.{key} is {got}, default.toml has {want}")
            if isinstance(value, list):
                check(
                    all(toml_type(x) == toml_type(DEFAULTS[section][key][0]) for x in value),
                    f"{where}: {section}.{key} items must be {toml_type(DEFAULTS[section][key][0])}",
                )


def check_env_name(name: str, where: str) -> None:
    """DOCINGEST_<SECTION>__<KEY> must name a key of default.toml (DOCINGEST_CONFIG is the file)."""
    if not name.startswith("DOCINGEST_") or name == "DOCINGEST_CONFIG":
        return
    m = re.fullmatch(r"DOCINGEST_([A-Z0-9_]+?)__([A-Z0-9_]+)", name)
    if check(m is not None, f"{where}: {name} is not DOCINGEST_<SECTION>__<KEY>"):
        section, key = m.group(1).lower(), m.group(2).lower()
        check(key in DEFAULTS.get(section, {}), f"{where}: {name} names no key of config/default.toml")


def check_production_example() -> None:
    doc = tomllib.loads(PRODUCTION_EXAMPLE.read_text())
    n = len(failures)
    check_config_keys(doc, "config/production.example.toml")
    check(doc.get("storage", {}).get("backend") == "s3", "production.example.toml: storage.backend must be s3")
    check("url" not in doc.get("amqp", {}), "production.example.toml: amqp.url is a secret, set it by env")
    check(
        doc.get("storage", {}).get("results_bucket") not in doc.get("storage", {}).get("allowed_buckets", "").split(","),
        "production.example.toml: results_bucket must not be a job bucket (notification loop)",
    )
    if len(failures) == n:
        ok("config/production.example.toml: keys and types match config/default.toml")


# ---------------------------------------------------------------------------------------------- chart


def load_values_files() -> dict[str, dict]:
    sets = {"default": {}}
    for path in sorted((CHART / "ci").glob("*.yaml")):
        sets[path.name] = yaml.safe_load(path.read_text()) or {}
    return sets


def render(chart: helm.Chart, values: dict) -> dict[str, str]:
    return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def parse_manifests(rendered: dict[str, str]) -> list[tuple[str, dict]]:
    docs = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                docs.append((template, doc))
    return docs


def by_kind(docs: list[tuple[str, dict]], kind: str) -> list[dict]:
    return [d for _, d in docs if d.get("kind") == kind]


def hook_of(obj: dict) -> set[str]:
    hook = obj.get("metadata", {}).get("annotations", {}).get("helm.sh/hook", "")
    return {h.strip() for h in hook.split(",") if h.strip()}


def hook_weight(obj: dict) -> int:
    return int(obj.get("metadata", {}).get("annotations", {}).get("helm.sh/hook-weight", "0"))


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def secret_keys(secret: dict) -> set[str]:
    return set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())


def lint_chart(values_sets: dict[str, dict]) -> None:
    for label, values in values_sets.items():
        report = helm.lint(str(CHART), values, strict=True)
        bad = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
        if check(not bad and not report.get("errors"), f"helm lint [{label}]: {bad or report.get('errors')}"):
            ok(f"helm lint [{label}] (strict): no warnings or errors")


def validate_builtin(docs: list[tuple[str, dict]], label: str) -> None:
    for template, doc in docs:
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in CUSTOM_KINDS:
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                check(False, f"[{label}] {template}: no Kubernetes {version} schema for {key}")
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                check(False, f"[{label}] {template}: {doc['kind']} invalid for {version}: {path}: {e.message}")
    ok(f"[{label}] built-in objects validate (strict) against Kubernetes {', '.join(K8S_VERSIONS)}")


def check_release(label: str, values: dict, docs: list[tuple[str, dict]], rendered: dict[str, str], merged: dict) -> None:
    n = len(failures)
    fullname = merged.get("fullnameOverride") or RELEASE
    existing = merged["secrets"]["existingSecret"]

    deployments = by_kind(docs, "Deployment")
    if not check(len(deployments) == 1, f"[{label}] exactly one Deployment"):
        return
    dep = deployments[0]
    check(dep["metadata"]["name"] == fullname, f"[{label}] Deployment name {dep['metadata']['name']} != {fullname}")
    pod = dep["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    dep_selector = dep["spec"]["selector"]["matchLabels"]
    check(selects(dep_selector, pod_labels), f"[{label}] Deployment selector does not match its pods")
    spec = pod["spec"]
    containers = spec["containers"]
    check(len(containers) == 1, f"[{label}] one worker container")
    c = containers[0]
    check(c.get("args") == ["worker"], f"[{label}] worker args {c.get('args')}")
    env = {e["name"]: e for e in c.get("env", [])}
    for name in env:
        check_env_name(name, f"[{label}] worker env")

    # Non-root, read-only, no capabilities, RuntimeDefault seccomp.
    psc, csc = spec.get("securityContext", {}), c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and csc.get("runAsNonRoot") is True, f"[{label}] runAsNonRoot")
    check(isinstance(psc.get("runAsUser"), int) and psc["runAsUser"] > 0, f"[{label}] numeric non-root runAsUser")
    check(csc.get("readOnlyRootFilesystem") is True, f"[{label}] readOnlyRootFilesystem")
    check(csc.get("allowPrivilegeEscalation") is False, f"[{label}] allowPrivilegeEscalation false")
    check(csc.get("capabilities", {}).get("drop") == ["ALL"], f"[{label}] capabilities drop ALL")
    check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"[{label}] seccomp RuntimeDefault")
    check(spec.get("automountServiceAccountToken") is False, f"[{label}] no service account token")

    # Shutdown: grace > preStop sleep + drain, drain env var == value.
    drain = merged["drainTimeoutSeconds"]
    check(
        env.get("DOCINGEST_WORKER__DRAIN_TIMEOUT_SECS", {}).get("value") == str(drain),
        f"[{label}] DOCINGEST_WORKER__DRAIN_TIMEOUT_SECS != drainTimeoutSeconds ({drain})",
    )
    pre_stop = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
    sleep = 0
    if merged["preStopSleepSeconds"] > 0:
        check(pre_stop == ["sleep", str(merged["preStopSleepSeconds"])], f"[{label}] preStop {pre_stop}")
        sleep = merged["preStopSleepSeconds"]
    else:
        check(pre_stop is None, f"[{label}] preStop hook present although preStopSleepSeconds is 0")
    grace = spec.get("terminationGracePeriodSeconds", 30)
    check(grace > sleep + drain, f"[{label}] terminationGracePeriodSeconds {grace} <= preStop {sleep} + drain {drain}")

    # Probes and metrics port.
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    check(ports.get("metrics") == merged["metrics"]["port"], f"[{label}] metrics containerPort")
    check(
        env.get("DOCINGEST_HTTP__ADDR", {}).get("value") == f"0.0.0.0:{merged['metrics']['port']}",
        f"[{label}] DOCINGEST_HTTP__ADDR does not match the metrics port",
    )
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = c.get(probe, {}).get("httpGet", {})
        check(get.get("path") == path and get.get("port") in ("metrics", ports.get("metrics")), f"[{label}] {probe} {get}")

    # Config file: DOCINGEST_CONFIG -> mounted ConfigMap key, keys valid, checksum annotation.
    cms = {cm["metadata"]["name"]: cm for cm in by_kind(docs, "ConfigMap")}
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    cfg_path = env.get("DOCINGEST_CONFIG", {}).get("value", "")
    mount = next((m for m in mounts.values() if cfg_path.startswith(m["mountPath"].rstrip("/") + "/")), None)
    if check(mount is not None, f"[{label}] DOCINGEST_CONFIG {cfg_path!r} is not on a mounted volume"):
        cm_name = vols[mount["name"]].get("configMap", {}).get("name")
        key = cfg_path[len(mount["mountPath"].rstrip("/")) + 1 :]
        cm = cms.get(cm_name)
        if check(cm is not None and key in cm.get("data", {}), f"[{label}] ConfigMap {cm_name} has no {key}"):
            check(not hook_of(cm), f"[{label}] worker ConfigMap must not be a hook")
            check_config_keys(tomllib.loads(cm["data"][key]), f"[{label}] rendered {key}")
            want = hashlib.sha256(rendered[f"{CHART.name}/templates/configmap.yaml"].encode()).hexdigest()
            check(
                pod["metadata"].get("annotations", {}).get("checksum/config") == want,
                f"[{label}] checksum/config is not the sha256 of the rendered ConfigMap",
            )

    # Secrets: every secretKeyRef resolves to a rendered Secret key or to the existingSecret.
    secrets = {s["metadata"]["name"]: s for s in by_kind(docs, "Secret")}

    def check_secret_ref(ref: dict, where: str, hook_weight_below: int | None = None) -> None:
        name, key = ref["name"], ref["key"]
        if existing and name == existing:
            return
        s = secrets.get(name)
        if check(s is not None and key in secret_keys(s), f"[{label}] {where}: Secret {name} has no key {key}"):
            if hook_weight_below is not None:
                check(
                    hook_of(s) >= {"pre-install", "pre-upgrade"} and hook_weight(s) < hook_weight_below,
                    f"[{label}] {where}: Secret {name} must be a pre-install/pre-upgrade hook created first",
                )

    for e in c.get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            check_secret_ref(ref, f"worker env {e['name']}")
    check("DOCINGEST_AMQP__URL" in env, f"[{label}] worker has no DOCINGEST_AMQP__URL")
    if existing:
        check(not secrets.get(fullname), f"[{label}] chart created a Secret although existingSecret is set")
        check(env["DOCINGEST_AMQP__URL"]["valueFrom"]["secretKeyRef"]["name"] == existing, f"[{label}] AMQP URL not from existingSecret")
    aws = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} & set(env)
    check(len(aws) in (0, 2), f"[{label}] AWS keys must come in pairs")

    # Autoscaling: KEDA xor HPA xor fixed replicas.
    scaled = by_kind(docs, "ScaledObject")
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    if merged["keda"]["enabled"]:
        check(len(scaled) == 1 and not hpas, f"[{label}] KEDA on: one ScaledObject and no HPA")
        check("replicas" not in dep["spec"], f"[{label}] autoscaled Deployment must not set replicas")
        if scaled:
            check_scaled_object(label, scaled[0], dep, docs, merged, check_secret_ref)
    elif merged["hpa"]["enabled"]:
        check(len(hpas) == 1 and not scaled, f"[{label}] KEDA off: one HPA and no ScaledObject")
        check("replicas" not in dep["spec"], f"[{label}] autoscaled Deployment must not set replicas")
        check(not by_kind(docs, "TriggerAuthentication"), f"[{label}] TriggerAuthentication without KEDA")
        if hpas:
            h = hpas[0]["spec"]
            check(h["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": fullname}, f"[{label}] HPA target")
            check(h["metrics"][0]["resource"]["name"] == "cpu", f"[{label}] HPA on CPU")
            check("cpu" in c.get("resources", {}).get("requests", {}), f"[{label}] HPA on CPU needs a CPU request")
    else:
        check(not scaled and not hpas, f"[{label}] no autoscaler expected")
        check(dep["spec"].get("replicas") == merged["replicaCount"], f"[{label}] fixed replicas")

    # Objects that select pods must select exactly the workers (never the topology Job's pod).
    job_pods = [j["spec"]["template"]["metadata"]["labels"] for j in by_kind(docs, "Job")]
    for kind, sel in (
        [("Service", s["spec"]["selector"]) for s in by_kind(docs, "Service")]
        + [("PodDisruptionBudget", p["spec"]["selector"]["matchLabels"]) for p in by_kind(docs, "PodDisruptionBudget")]
    ):
        check(selects(sel, pod_labels), f"[{label}] {kind} selector misses the worker pods")
        check(not any(selects(sel, jl) for jl in job_pods), f"[{label}] {kind} selector matches the topology Job pod")
    pdbs = by_kind(docs, "PodDisruptionBudget")
    check(bool(pdbs) == merged["podDisruptionBudget"]["enabled"], f"[{label}] PDB presence")
    for p in pdbs:
        check(("minAvailable" in p["spec"]) != ("maxUnavailable" in p["spec"]), f"[{label}] PDB needs exactly one of min/max")

    services = by_kind(docs, "Service")
    for sm in by_kind(docs, "ServiceMonitor"):
        sel = sm["spec"]["selector"]["matchLabels"]
        targets = [s for s in services if selects(sel, s["metadata"]["labels"])]
        check(len(targets) == 1, f"[{label}] ServiceMonitor selects {len(targets)} Services")
        port_names = {p["name"] for t in targets for p in t["spec"]["ports"]}
        check(all(e["port"] in port_names for e in sm["spec"]["endpoints"]), f"[{label}] ServiceMonitor port name")
        check(all(e.get("path") == "/metrics" for e in sm["spec"]["endpoints"]), f"[{label}] ServiceMonitor path")
    check(bool(by_kind(docs, "ServiceMonitor")) == merged["serviceMonitor"]["enabled"], f"[{label}] ServiceMonitor presence")

    # ServiceAccount.
    sa_name = spec.get("serviceAccountName")
    sas = {s["metadata"]["name"] for s in by_kind(docs, "ServiceAccount")}
    if merged["serviceAccount"]["create"]:
        check(sa_name in sas, f"[{label}] worker ServiceAccount {sa_name} not rendered")
    else:
        check(sa_name == (merged["serviceAccount"]["name"] or "default") and not sas, f"[{label}] existing ServiceAccount")

    check_topology_job(label, docs, merged, sas, check_secret_ref)
    if len(failures) == n:
        ok(f"[{label}] wiring: selectors, secrets, config, probes, shutdown, autoscaling")


def check_scaled_object(label, so, dep, docs, merged, check_secret_ref) -> None:
    spec = so["spec"]
    target = spec.get("scaleTargetRef", {})
    check(target.get("name") == dep["metadata"]["name"], f"[{label}] ScaledObject targets {target.get('name')}")
    check(target.get("kind", "Deployment") == "Deployment", f"[{label}] ScaledObject target kind")
    lo, hi = spec.get("minReplicaCount"), spec.get("maxReplicaCount")
    check(isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi and hi >= 1, f"[{label}] min/maxReplicaCount {lo}/{hi}")
    check(isinstance(spec.get("pollingInterval"), int) and isinstance(spec.get("cooldownPeriod"), int), f"[{label}] polling/cooldown")
    triggers = spec.get("triggers", [])
    if not check(len(triggers) == 1, f"[{label}] one trigger"):
        return
    t = triggers[0]
    md = t.get("metadata", {})
    check(t.get("type") == "rabbitmq", f"[{label}] trigger type {t.get('type')}")
    check(md.get("mode") == "QueueLength", f"[{label}] trigger mode {md.get('mode')}")
    want_queue = (merged.get("config", {}).get("amqp", {}) or {}).get("jobs_queue") or DEFAULTS["amqp"]["jobs_queue"]
    check(md.get("queueName") == want_queue, f"[{label}] trigger queueName {md.get('queueName')} != {want_queue}")
    check(md.get("protocol") in ("amqp", "http"), f"[{label}] trigger protocol")
    for field in ("value", "activationValue"):
        v = md.get(field)
        # KEDA metadata values are strings that parse as numbers.
        good = isinstance(v, str)
        try:
            good = good and float(v) >= 0
        except ValueError:
            good = False
        check(good, f"[{label}] trigger metadata.{field} must be a numeric string, got {v!r}")
    check(float(md.get("value", "0") or 0) > 0, f"[{label}] trigger value must be > 0")
    check("host" not in md and "hostFromEnv" not in md, f"[{label}] broker credentials must come from the TriggerAuthentication")
    auth = t.get("authenticationRef", {}).get("name")
    tas = {ta["metadata"]["name"]: ta for ta in by_kind(docs, "TriggerAuthentication")}
    if check(auth in tas, f"[{label}] authenticationRef {auth} names no TriggerAuthentication"):
        refs = tas[auth]["spec"].get("secretTargetRef", [])
        hosts = [r for r in refs if r.get("parameter") == "host"]
        if check(len(hosts) == 1, f"[{label}] TriggerAuthentication needs one secretTargetRef for `host`"):
            want_key = merged["secrets"]["keys"]["amqpUrl" if md.get("protocol") == "amqp" else "rabbitmqManagementUrl"]
            check(hosts[0]["key"] == want_key, f"[{label}] TriggerAuthentication host key {hosts[0]['key']} != {want_key}")
            check_secret_ref(hosts[0], "TriggerAuthentication host")


def check_topology_job(label, docs, merged, sas, check_secret_ref) -> None:
    jobs = by_kind(docs, "Job")
    if not merged["topologyJob"]["enabled"]:
        check(not jobs, f"[{label}] topology Job rendered although disabled")
        return
    if not check(len(jobs) == 1, f"[{label}] one topology Job"):
        return
    job = jobs[0]
    check(hook_of(job) >= {"pre-install", "pre-upgrade"}, f"[{label}] topology Job hooks {hook_of(job)}")
    policy = job["metadata"]["annotations"].get("helm.sh/hook-delete-policy", "")
    check("before-hook-creation" in policy, f"[{label}] topology Job hook-delete-policy {policy!r}")
    weight = hook_weight(job)
    spec = job["spec"]["template"]["spec"]
    c = spec["containers"][0]
    check(c.get("args") == ["topology"], f"[{label}] topology Job args {c.get('args')}")
    check(spec.get("restartPolicy") in ("Never", "OnFailure"), f"[{label}] Job restartPolicy")
    check(c.get("securityContext", {}).get("readOnlyRootFilesystem") is True, f"[{label}] Job readOnlyRootFilesystem")
    # Pre-install hooks run before ordinary resources exist: everything the Job uses must be a hook
    # with a lower weight, or exist outside the release.
    check(spec.get("serviceAccountName") not in sas, f"[{label}] Job uses the release ServiceAccount (not there yet)")
    cms = {cm["metadata"]["name"]: cm for cm in by_kind(docs, "ConfigMap")}
    for v in spec.get("volumes", []):
        name = v.get("configMap", {}).get("name")
        if name:
            cm = cms.get(name)
            if check(cm is not None, f"[{label}] Job ConfigMap {name} not rendered"):
                check(hook_of(cm) >= {"pre-install", "pre-upgrade"} and hook_weight(cm) < weight, f"[{label}] Job ConfigMap {name} must be an earlier hook")
                check_config_keys(tomllib.loads(cm["data"]["production.toml"]), f"[{label}] topology production.toml")
    env = {e["name"]: e for e in c.get("env", [])}
    check("DOCINGEST_AMQP__URL" in env and "DOCINGEST_CONFIG" in env, f"[{label}] Job env")
    for e in c.get("env", []):
        check_env_name(e["name"], f"[{label}] Job env")
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            check_secret_ref(ref, f"Job env {e['name']}", hook_weight_below=weight)


def check_chart() -> dict:
    values_sets = load_values_files()
    check(len(values_sets) >= 3, "helm/docingest/ci/ needs at least two values files")
    lint_chart(values_sets)
    summary = {}
    with helm.Chart.load(str(CHART)) as chart:
        for label, values in values_sets.items():
            try:
                chart.validate_schema(values)
            except helm.HelmError as e:
                check(False, f"[{label}] values.schema.json rejects the values: {e}")
                continue
            merged = chart.merge_values(values)
            try:
                rendered = render(chart, values)
            except helm.HelmError as e:
                check(False, f"[{label}] render failed: {e}")
                continue
            docs = parse_manifests(rendered)
            ok(f"[{label}] rendered {len(docs)} objects: " + ", ".join(sorted({d['kind'] for _, d in docs})))
            validate_builtin(docs, label)
            check_release(label, values, docs, rendered, merged)
            summary[label] = (merged, docs)

        # The checksum annotation must follow the config (and only it).
        def checksum(values: dict) -> str:
            docs = parse_manifests(render(chart, values))
            return by_kind(docs, "Deployment")[0]["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

        base = checksum({})
        check(base == checksum({}), "checksum/config is not deterministic")
        check(base != checksum({"config": {"worker": {"prefetch": 3}}}), "checksum/config ignores a config change")
        check(base == checksum({"replicaCount": 7}), "checksum/config changes without a config change")

        # Negative cases: what must be refused is refused.
        must_fail = {
            "unknown config key": {"config": {"worker": {"prefetchh": 1}}},
            "amqp.url in the ConfigMap": {"config": {"amqp": {"url": "amqp://u:p@h/"}}},
            "drain timeout in the ConfigMap": {"config": {"worker": {"drain_timeout_secs": 5}}},
            "string where config wants an integer": {"config": {"worker": {"prefetch": "16"}}},
            "unknown top-level value": {"kedaa": {"enabled": False}},
        }
        for what, values in must_fail.items():
            try:
                chart.validate_schema(values)
                check(False, f"values.schema.json accepts {what}")
            except helm.HelmValuesError:
                pass
        try:
            render(chart, {"secrets": {"awsAccessKeyId": "x"}})
            check(False, "render accepts an AWS key id without its secret")
        except helm.HelmRenderError as e:
            check("set both or neither" in str(e), f"AWS key pair guard: unexpected error {e}")
        ok("checksum/config follows the config; schema and templates refuse bad values")

    # The templates refuse secrets in the ConfigMap on their own, for `helm template
    # --skip-schema-validation` and the like: render a copy of the chart without its schema.
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / CHART.name
        shutil.copytree(CHART, bare)
        (bare / "values.schema.json").unlink()
        with helm.Chart.load(str(bare)) as chart:
            for what, values in (
                ("amqp.url", {"config": {"amqp": {"url": "amqp://u:p@h/"}}}),
                ("worker.drain_timeout_secs", {"config": {"worker": {"drain_timeout_secs": 5}}}),
            ):
                try:
                    render(chart, values)
                    check(False, f"templates accept config.{what} (guard missing)")
                except helm.HelmRenderError as e:
                    check("cannot be set here" in str(e), f"config.{what}: unexpected error {e}")

    # The schema's config section may only describe keys default.toml has.
    schema = json.loads((CHART / "values.schema.json").read_text())
    for section, sec_schema in schema["properties"]["config"]["properties"].items():
        for key in sec_schema.get("properties", {}):
            check(key in DEFAULTS.get(section, {}), f"values.schema.json describes unknown config key {section}.{key}")
    return summary


# -------------------------------------------------------------------------------------------- compose


def env_map(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def check_compose() -> None:
    n = len(failures)
    doc = yaml.safe_load(COMPOSE.read_text())
    services = doc.get("services", {})
    for name in ("rabbitmq", "minio", "minio-init", "topology", "results-tap", "worker"):
        check(name in services, f"compose: service {name} missing")
    if len(failures) > n:
        return

    def cond(svc: str, dep: str) -> str | None:
        d = services[svc].get("depends_on", {})
        return d.get(dep, {}).get("condition") if isinstance(d, dict) else None

    wanted = {
        ("topology", "rabbitmq"): "service_healthy",
        ("minio", "topology"): "service_completed_successfully",
        ("minio-init", "minio"): "service_healthy",
        ("worker", "rabbitmq"): "service_healthy",
        ("worker", "topology"): "service_completed_successfully",
        ("worker", "minio-init"): "service_completed_successfully",
        ("results-tap", "topology"): "service_completed_successfully",
        ("worker", "results-tap"): "service_completed_successfully",
    }
    for (svc, dep), want in wanted.items():
        check(cond(svc, dep) == want, f"compose: {svc} depends_on {dep} must be {want}, is {cond(svc, dep)}")
    for svc, spec in services.items():
        for dep, d in (spec.get("depends_on") or {}).items():
            if isinstance(d, dict) and d.get("condition") == "service_healthy":
                check("healthcheck" in services[dep], f"compose: {svc} waits for {dep} healthy but it has no healthcheck")
            if isinstance(d, dict) and d.get("condition") == "service_completed_successfully":
                check(services[dep].get("restart", "no") == "no", f"compose: one-shot {dep} must not restart")

    for svc, cmd in (("topology", ["topology"]), ("worker", ["worker"])):
        s = services[svc]
        check(s.get("command") == cmd, f"compose: {svc} command {s.get('command')} != {cmd}")
        build = s.get("build", {})
        context = (COMPOSE.parent / build.get("context", ".")).resolve()
        check(context == ROOT, f"compose: {svc} build context {context} is not the repository root")
        check((context / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE, f"compose: {svc} dockerfile")
        for name in env_map(s):
            check_env_name(name, f"compose {svc}")

    rabbit = env_map(services["rabbitmq"])
    minio = env_map(services["minio"])
    worker = env_map(services["worker"])
    check("management" in services["rabbitmq"].get("image", ""), "compose: rabbitmq image must have the management plugin")

    # The worker's broker URL uses the user RabbitMQ creates and the compose hostname.
    amqp = urlparse(worker.get("DOCINGEST_AMQP__URL", ""))
    check(amqp.scheme == "amqp" and amqp.hostname == "rabbitmq", f"compose: worker AMQP URL host {amqp.hostname}")
    check(
        (amqp.username, amqp.password) == (rabbit.get("RABBITMQ_DEFAULT_USER"), rabbit.get("RABBITMQ_DEFAULT_PASS")),
        "compose: worker AMQP credentials differ from RABBITMQ_DEFAULT_USER/PASS",
    )
    check(amqp.username != "guest", "compose: RabbitMQ refuses `guest` from other hosts")
    check(env_map(services["topology"]).get("DOCINGEST_AMQP__URL") == worker.get("DOCINGEST_AMQP__URL"), "compose: topology and worker use different brokers")

    # MinIO's AMQP target must publish exactly where docingest consumes, with matching declare args.
    ids = [k[len("MINIO_NOTIFY_AMQP_ENABLE_") :] for k, v in minio.items() if k.startswith("MINIO_NOTIFY_AMQP_ENABLE_") and v == "on"]
    if check(len(ids) == 1, f"compose: exactly one enabled MinIO AMQP target, found {ids}"):
        i = ids[0]
        g = lambda k, d=None: minio.get(f"MINIO_NOTIFY_AMQP_{k}_{i}", d)  # noqa: E731
        jobs_exchange = worker.get("DOCINGEST_AMQP__JOBS_EXCHANGE", DEFAULTS["amqp"]["jobs_exchange"])
        routing_key = worker.get("DOCINGEST_AMQP__JOBS_ROUTING_KEY", DEFAULTS["amqp"]["jobs_routing_key"])
        check(g("URL") == worker.get("DOCINGEST_AMQP__URL"), "compose: MinIO AMQP URL differs from the worker's")
        check(g("EXCHANGE") == jobs_exchange, f"compose: MinIO exchange {g('EXCHANGE')} != {jobs_exchange}")
        check(g("EXCHANGE_TYPE") == "direct", "compose: MinIO exchange type must be direct (as topology declares it)")
        check(g("ROUTING_KEY") == routing_key, f"compose: MinIO routing key {g('ROUTING_KEY')} != {routing_key}")
        check(g("DURABLE") == "on", "compose: MinIO must declare the exchange durable")
        check(g("AUTO_DELETED", "off") == "off" and g("INTERNAL", "off") == "off", "compose: MinIO auto_deleted/internal must be off")
        check(g("DELIVERY_MODE") == "2", "compose: MinIO events must be persistent (delivery mode 2)")
        qd = g("QUEUE_DIR")
        check(qd is None or qd.startswith("/"), "compose: MinIO queue_dir must be absolute")
        script = "\n".join(services["minio-init"].get("command") or [])
        bucket = worker.get("DOCINGEST_STORAGE__DEFAULT_BUCKET", DEFAULTS["storage"]["default_bucket"])
        check(f"arn:minio:sqs::{i}:amqp" in script and "mc event add" in script, f"compose: minio-init must subscribe arn:minio:sqs::{i}:amqp")
        check(re.search(r"--event\s+\S*put", script) is not None, "compose: minio-init must subscribe put events")
        check(f"local/{bucket}" in script and "mc mb" in script, f"compose: minio-init must create bucket {bucket}")
        results_bucket = worker.get("DOCINGEST_STORAGE__RESULTS_BUCKET", DEFAULTS["storage"]["results_bucket"])
        check(results_bucket != bucket, "compose: results_bucket == notified bucket: every large result would become a job")
        check(f"local/{results_bucket}" in script, f"compose: minio-init must create results bucket {results_bucket}")
        check(bucket in worker.get("DOCINGEST_STORAGE__ALLOWED_BUCKETS", "").split(","), "compose: notified bucket not in allowed_buckets")

    # Results are published mandatory: something must be bound to the results exchange.
    tap = "\n".join(services["results-tap"].get("command") or [])
    results_exchange = worker.get("DOCINGEST_AMQP__RESULTS_EXCHANGE", DEFAULTS["amqp"]["results_exchange"])
    check(f"source={results_exchange} " in tap and "declare binding" in tap, f"compose: results-tap must bind a queue to {results_exchange}")
    check("declare exchange" not in tap, "compose: results-tap must not declare exchanges (topology owns them)")

    check(worker.get("DOCINGEST_STORAGE__BACKEND") == "s3", "compose: worker storage backend must be s3")
    check(urlparse(worker.get("DOCINGEST_STORAGE__ENDPOINT", "")).hostname == "minio", "compose: worker S3 endpoint must be minio")
    check(worker.get("DOCINGEST_STORAGE__PATH_STYLE") == "true", "compose: MinIO needs path-style")
    check(
        (worker.get("AWS_ACCESS_KEY_ID"), worker.get("AWS_SECRET_ACCESS_KEY")) == (minio.get("MINIO_ROOT_USER"), minio.get("MINIO_ROOT_PASSWORD")),
        "compose: worker S3 keys differ from MinIO's",
    )
    grace = services["worker"].get("stop_grace_period", "10s")
    check(re.fullmatch(r"\d+s", grace) is not None and int(grace[:-1]) > DEFAULTS["worker"]["drain_timeout_secs"], f"compose: worker stop_grace_period {grace} <= drain timeout")
    if len(failures) == n:
        ok("deploy/docker-compose.yml: services, start-up order, MinIO -> docingest.jobs wiring")


# ------------------------------------------------------------------------------------------ Dockerfile


def check_dockerfile(chart_uid: int | None) -> None:
    n = len(failures)
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    stages = [i for i, ln in enumerate(lines) if ln.upper().startswith("FROM ")]
    check(len(stages) >= 2, "Dockerfile: multi-stage build")
    final = lines[stages[-1] :]
    check(any("cargo build" in ln and "--release" in ln and "--locked" in ln for ln in lines), "Dockerfile: cargo build --release --locked")
    check(not any("cargo" in ln for ln in final if ln.upper().startswith("RUN")), "Dockerfile: no cargo in the runtime stage")
    users = [ln.split(None, 1)[1] for ln in final if ln.upper().startswith("USER ")]
    if check(len(users) == 1, "Dockerfile: one USER in the runtime stage"):
        uid = users[0].split(":")[0]
        check(uid.isdigit() and int(uid) != 0, f"Dockerfile: USER {users[0]} must be a numeric non-root UID")
        if chart_uid is not None and uid.isdigit():
            check(int(uid) == chart_uid, f"Dockerfile USER {uid} != chart runAsUser {chart_uid}")
    entry = [json.loads(ln.split(None, 1)[1]) for ln in final if ln.upper().startswith("ENTRYPOINT ")]
    check(len(entry) == 1 and entry[0][-1].endswith("/docingest"), f"Dockerfile: ENTRYPOINT must be the binary (exec form): {entry}")
    cmd = [json.loads(ln.split(None, 1)[1]) for ln in final if ln.upper().startswith("CMD ")]
    check(cmd == [["worker"]], f"Dockerfile: CMD must be [\"worker\"]: {cmd}")
    port = DEFAULTS["http"]["addr"].rsplit(":", 1)[1]
    check(any(ln.upper().startswith("EXPOSE ") and port in ln.split() for ln in final), f"Dockerfile: EXPOSE {port}")
    check(any("config/default.toml" in ln for ln in final if ln.upper().startswith("COPY ")), "Dockerfile: copies config/default.toml")
    ignore = (ROOT / ".dockerignore").read_text().split()
    check("target" in ignore or "/target" in ignore, ".dockerignore must exclude target/")
    if len(failures) == n:
        ok("deploy/Dockerfile: multi-stage, --locked, numeric non-root USER, ENTRYPOINT/CMD, EXPOSE")


def main() -> int:
    print(f"helm SDK {helm.helm_sdk_version()} (helm-c {helm.helm_c_version()}), kubernetes-validate schemas {K8S_VERSIONS}")
    check_production_example()
    summary = check_chart()
    uid = None
    if "default" in summary:
        merged, docs = summary["default"]
        uid = merged["podSecurityContext"]["runAsUser"]
    check_compose()
    check_dockerfile(uid)
    if failures:
        print(f"\n{len(failures)} deploy check(s) failed")
        return 1
    print("\nall deploy checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
