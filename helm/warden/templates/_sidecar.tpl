{{/*
Sidecar mode: Warden in the pod of a model server. These named templates are the public interface for charts
that add Warden to their own model-server pod (with this chart as a dependency; pass .Subcharts.warden):

  initContainers:
    {{- include "warden.sidecar.initContainers" .Subcharts.warden | nindent 4 }}
  containers:
    - name: my-model-server          # listening on 127.0.0.1 only
      ...
    {{- include "warden.sidecar.containers" .Subcharts.warden | nindent 4 }}
  volumes:
    {{- include "warden.sidecar.volumes" .Subcharts.warden | nindent 4 }}

The model volume (name "models", at sidecar.models.mountPath) is mounted read-only into Warden, so it verifies
the exact files the server loads. On Kubernetes >= 1.29 (or sidecar.nativeSidecar: true) Warden is a native
sidecar: an init container with restartPolicy: Always that is started before the model server. Otherwise it is
a plain second container. No iptables, no NET_ADMIN: clients reach Warden because the Service targets its port,
and the model server is bound to 127.0.0.1.
*/}}

{{- define "warden.sidecar.backendUrl" -}}
{{- printf "http://127.0.0.1:%d" (int .Values.sidecar.modelServer.port) -}}
{{- end -}}

{{- define "warden.sidecar.initContainers" -}}
{{- $init := .Values.sidecar.models.storageInitializer -}}
{{- if and $init.enabled (not .Values.sidecar.models.existingClaim) }}
- name: storage-initializer
  image: {{ $init.image | quote }}
  {{- with $init.args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "warden.containerSecurityContext" (dict "uid" .Values.securityContext.runAsUser "gid" .Values.securityContext.runAsGroup "readOnlyRoot" true) | nindent 4 }}
  volumeMounts:
    # The only writer of the model volume; it finishes before Warden and the model server start.
    - name: models
      mountPath: {{ .Values.sidecar.models.mountPath | quote }}
    - name: tmp
      mountPath: /tmp
{{- end }}
{{- if eq (include "warden.nativeSidecar" .) "true" }}
{{ include "warden.container" (dict "root" . "native" true "backendUrl" (include "warden.sidecar.backendUrl" .) "modelsDir" .Values.sidecar.models.mountPath "mountModels" true) }}
{{- end }}
{{- end -}}

{{- define "warden.sidecar.containers" -}}
{{- if ne (include "warden.nativeSidecar" .) "true" }}
{{ include "warden.container" (dict "root" . "native" false "backendUrl" (include "warden.sidecar.backendUrl" .) "modelsDir" .Values.sidecar.models.mountPath "mountModels" true) }}
{{- end }}
{{- end -}}

{{/* Warden's volumes plus the shared model volume. */}}
{{- define "warden.sidecar.volumes" -}}
{{ include "warden.volumes" . }}
- name: models
  {{- if .Values.sidecar.models.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.sidecar.models.existingClaim }}
    readOnly: true
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end -}}
