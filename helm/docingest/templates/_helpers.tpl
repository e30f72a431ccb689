{{/*
Shared names, labels and the TOML renderer. Nothing here emits a resource.
*/}}

{{- define "docingest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name; short enough for the "-topology" suffix to stay within 63 characters. */}}
{{- define "docingest.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "docingest.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "docingest.labels" -}}
helm.sh/chart: {{ include "docingest.chart" . }}
{{ include "docingest.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "docingest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "docingest.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The worker pods. The component label keeps the topology Job's pod out of every selector. */}}
{{- define "docingest.workerSelectorLabels" -}}
{{ include "docingest.selectorLabels" . }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "docingest.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "docingest.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "docingest.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "docingest.secretName" -}}
{{- default (include "docingest.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "docingest.jobsQueue" -}}
{{- (.Values.config.amqp | default dict).jobs_queue | default "docingest.jobs" }}
{{- end }}

{{/* Seconds the kubelet allows between the start of termination and SIGKILL. */}}
{{- define "docingest.terminationGracePeriodSeconds" -}}
{{- add (int .Values.preStopSleepSeconds) (int .Values.drainTimeoutSeconds) (int .Values.terminationGraceMarginSeconds) }}
{{- end }}

{{/* Chart-managed Secret carries AWS keys only when both are given (else IRSA & co.). */}}
{{- define "docingest.awsFromSecret" -}}
{{- if .Values.secrets.existingSecret }}
{{- if .Values.secrets.existingSecretHasAwsKeys }}true{{ end }}
{{- else }}
{{- if and .Values.secrets.awsAccessKeyId .Values.secrets.awsSecretAccessKey }}true
{{- else if or .Values.secrets.awsAccessKeyId .Values.secrets.awsSecretAccessKey }}
{{- fail "secrets.awsAccessKeyId and secrets.awsSecretAccessKey: set both or neither" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment shared by the worker and the topology Job: config file, secrets, drain and HTTP settings.
Env vars override the config file (CONTRACT §5), so these always win. Arguments: root (the chart
context), secretName, amqpOnly (the topology Job needs no S3 keys).
*/}}
{{- define "docingest.env" -}}
- name: DOCINGEST_CONFIG
  value: /etc/docingest/production.toml
- name: DOCINGEST_AMQP__URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secrets.keys.amqpUrl }}
{{- if and (not .amqpOnly) (include "docingest.awsFromSecret" .root) }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secrets.keys.awsAccessKeyId }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secrets.keys.awsSecretAccessKey }}
{{- end }}
- name: DOCINGEST_WORKER__DRAIN_TIMEOUT_SECS
  value: {{ .root.Values.drainTimeoutSeconds | int | quote }}
- name: DOCINGEST_HTTP__ADDR
  value: {{ printf "0.0.0.0:%d" (int .root.Values.metrics.port) | quote }}
{{- if and (not .amqpOnly) .root.Values.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .root.Values.tracing.otlpEndpoint | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .root.Values.tracing.serviceName | quote }}
{{- with .root.Values.tracing.resourceAttributes }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
production.toml from .Values.config. Values are rendered by type so integers stay integers
(values files decode numbers as float64) and strings are TOML basic strings (JSON escapes are a
subset of TOML's).
*/}}
{{- define "docingest.configToml" -}}
{{- $forbidden := dict "amqp" (list "url") "worker" (list "drain_timeout_secs") "http" (list "addr") -}}
# Rendered by the docingest Helm chart from .Values.config; layered over the embedded defaults
# (config/default.toml) and under DOCINGEST_* environment variables.
{{- range $section, $keys := .Values.config }}
{{- if $keys }}

[{{ $section }}]
{{- range $key, $value := $keys }}
{{- if has $key (get $forbidden $section | default list) }}
{{- fail (printf "config.%s.%s cannot be set here: see the comment above `config` in values.yaml" $section $key) }}
{{- end }}
{{ $key }} = {{ include "docingest.tomlValue" $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- define "docingest.tomlValue" -}}
{{- $kind := kindOf . }}
{{- if eq $kind "string" }}{{ toJson . }}
{{- else if eq $kind "bool" }}{{ ternary "true" "false" . }}
{{- else if has $kind (list "float64" "float32" "int" "int64" "int32" "uint64") }}
{{- if eq (float64 .) (float64 (int64 .)) }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- else if eq $kind "slice" }}[{{ range $i, $v := . }}{{ if $i }}, {{ end }}{{ include "docingest.tomlValue" $v }}{{ end }}]
{{- else }}{{ fail (printf "config: cannot render %v (%s) as TOML" . $kind) }}
{{- end }}
{{- end }}
