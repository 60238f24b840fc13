{{/* Names, labels and the image reference. */}}

{{- define "warden.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "warden.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "warden.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels common to every object; call with (dict "root" $ "component" "gateway"). */}}
{{- define "warden.labels" -}}
helm.sh/chart: {{ include "warden.chart" .root }}
{{ include "warden.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: warden
{{- end -}}

{{/* Selector labels (immutable once deployed); call with (dict "root" $ "component" "gateway"). */}}
{{- define "warden.selectorLabels" -}}
app.kubernetes.io/name: {{ include "warden.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The component of the pods that run the gateway: Warden alone, or the model server with Warden. */}}
{{- define "warden.podComponent" -}}
{{- if eq .Values.mode "sidecar" -}}model-server{{- else -}}gateway{{- end -}}
{{- end -}}

{{- define "warden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "warden.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "warden.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "warden.policyConfigMapName" -}}
{{- if .Values.policy.existingConfigMap -}}
{{- .Values.policy.existingConfigMap -}}
{{- else -}}
{{- printf "%s-policy" (include "warden.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The policy file the chart manages: values policy.files, or the shipped policy for the state store. */}}
{{- define "warden.policyFiles" -}}
{{- if .Values.policy.files -}}
{{- range $name, $text := .Values.policy.files }}
{{ $name }}: |
{{ $text | indent 2 }}
{{- end -}}
{{- else -}}
{{- $file := ternary "policies/default-redis.yaml" "policies/default.yaml" (eq .Values.state.store "redis") }}
{{ base $file }}: |
{{ .Files.Get $file | indent 2 }}
{{- end -}}
{{- end -}}

{{/*
Refuses a chart-managed policy whose state store is embedded when several replicas run without the
acknowledgement (the schema checks the values; this checks the policy text they would run with).
*/}}
{{- define "warden.checkPolicyState" -}}
{{- if and (include "warden.multiReplica" .) (not .Values.state.embedded.acknowledgePerReplicaState) -}}
{{- range $name, $text := .Values.policy.files -}}
{{- if regexMatch "(?m)^[^#\\n]*\\bstore:\\s*[\"']?embedded" $text -}}
{{- fail (printf "policy.files.%s uses state store embedded while more than one replica runs: use store redis in the policy, or set state.embedded.acknowledgePerReplicaState: true" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Whether Warden runs as a Kubernetes native sidecar (initContainers, restartPolicy: Always). */}}
{{- define "warden.nativeSidecar" -}}
{{- $native := .Values.sidecar.nativeSidecar -}}
{{- if eq (toString $native) "auto" -}}
{{- if semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version -}}true{{- else -}}false{{- end -}}
{{- else -}}
{{- toString $native -}}
{{- end -}}
{{- end -}}

{{/* Replicas beyond one: the HPA's ceiling when enabled, else replicaCount. */}}
{{- define "warden.multiReplica" -}}
{{- if or (gt (int .Values.replicaCount) 1) (and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) 1)) -}}true{{- end -}}
{{- end -}}

{{/* The restricted Pod Security profile for a container; call with (dict "uid" N "gid" N "readOnlyRoot" bool). */}}
{{- define "warden.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .readOnlyRoot }}
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "warden.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Scheduling settings shared by the gateway pods. */}}
{{- define "warden.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- if .Values.topologySpread.enabled }}
topologySpreadConstraints:
{{- range .Values.topologySpread.topologyKeys }}
  - maxSkew: {{ $.Values.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "warden.selectorLabels" (dict "root" $ "component" (include "warden.podComponent" $)) | nindent 8 }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod annotations, with the policy checksum when policy.rolloutOnChange is on. */}}
{{- define "warden.podAnnotations" -}}
{{- $ann := deepCopy .Values.podAnnotations -}}
{{- if .Values.policy.rolloutOnChange -}}
{{- $_ := set $ann "checksum/policy" (include "warden.policyFiles" . | sha256sum) -}}
{{- end -}}
{{- with $ann }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Whether this chart renders the pods running Warden (false: sidecar mode inside another chart's pod). */}}
{{- define "warden.rendersWorkload" -}}
{{- if or (eq .Values.mode "standalone") .Values.sidecar.renderWorkload -}}true{{- end -}}
{{- end -}}
