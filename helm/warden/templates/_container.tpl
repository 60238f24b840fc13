{{/*
The Warden gateway container and the volumes it needs. Used by the standalone Deployment, by the sidecar
Deployment, and by charts that add Warden to their own model-server pod (see warden.sidecar.* in _sidecar.tpl).
*/}}

{{/* Call with (dict "root" $ "native" true|false "backendUrl" URL "modelsDir" PATH "mountModels" true|false). */}}
{{- define "warden.container" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
- name: warden
  image: {{ include "warden.image" $root | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  # A refused policy or an unverifiable model at start-up shows in `kubectl describe pod`.
  terminationMessagePolicy: FallbackToLogsOnError
  {{- if .native }}
  # A Kubernetes native sidecar (k8s >= 1.29): started before, and stopped after, the model server.
  restartPolicy: Always
  {{- end }}
  args:
    - serve
    - --policy
    - {{ $v.policy.mountPath | quote }}
    - --port
    - {{ $v.ports.data | quote }}
    - --admin-port
    - {{ $v.ports.admin | quote }}
    {{- range $v.gateway.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  env:
    - name: JDK_JAVA_OPTIONS
      value: {{ $v.gateway.javaOptions | quote }}
    - name: WARDEN_BACKEND_URL
      value: {{ .backendUrl | quote }}
    - name: WARDEN_MODELS_DIR
      value: {{ .modelsDir | quote }}
    - name: WARDEN_STATE_DIR
      value: {{ $v.state.embedded.dir | quote }}
    {{- if eq $v.state.store "redis" }}
    - name: WARDEN_REDIS_URL
      value: {{ $v.state.redis.url | quote }}
    {{- end }}
    {{- if $v.state.redis.existingSecret }}
    - name: WARDEN_REDIS_PASSWORD_FILE
      value: {{ printf "%s/password" $v.state.redis.mountPath | quote }}
    {{- if hasPrefix "rediss://" $v.state.redis.url }}
    - name: WARDEN_REDIS_CA_FILE
      value: {{ printf "%s/ca.crt" $v.state.redis.mountPath | quote }}
    {{- end }}
    {{- end }}
    {{- if $v.heBackend.enabled }}
    - name: WARDEN_HE_BACKEND_URL
      value: {{ printf "http://%s-he-backend:%d" (include "warden.fullname" $root) (int $v.heBackend.port) | quote }}
    - name: WARDEN_HE_BACKEND_TOKEN_FILE
      value: {{ printf "%s/token" $v.secrets.heBackendToken.mountPath | quote }}
    {{- end }}
    - name: WARDEN_REPLICA_ID
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    {{- range $name, $value := $v.gateway.extraEnv }}
    - name: {{ $name }}
      value: {{ $value | quote }}
    {{- end }}
  ports:
    - name: warden-http
      containerPort: {{ $v.ports.data }}
      protocol: TCP
    - name: warden-admin
      containerPort: {{ $v.ports.admin }}
      protocol: TCP
  startupProbe:
    httpGet:
      path: /livez
      port: warden-admin
    periodSeconds: {{ $v.probes.startup.periodSeconds }}
    failureThreshold: {{ $v.probes.startup.failureThreshold }}
  livenessProbe:
    httpGet:
      path: /livez
      port: warden-admin
    periodSeconds: {{ $v.probes.liveness.periodSeconds }}
    failureThreshold: {{ $v.probes.liveness.failureThreshold }}
    timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: warden-admin
    periodSeconds: {{ $v.probes.readiness.periodSeconds }}
    failureThreshold: {{ $v.probes.readiness.failureThreshold }}
    timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
  {{- with $v.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "warden.containerSecurityContext" (dict "uid" $v.securityContext.runAsUser "gid" $v.securityContext.runAsGroup "readOnlyRoot" true) | nindent 4 }}
  volumeMounts:
    # The whole directory, never subPath: the ConfigMap's ..data symlink swap must reach the watcher.
    - name: policy
      mountPath: {{ $v.policy.mountPath | quote }}
      readOnly: true
    - name: tmp
      mountPath: /tmp
    - name: state
      mountPath: {{ $v.state.embedded.dir | quote }}
    {{- range $key, $ref := $v.secrets }}
    {{- if $ref.existingSecret }}
    - name: {{ printf "secret-%s" (lower $key) }}
      mountPath: {{ $ref.mountPath | quote }}
      readOnly: true
    {{- end }}
    {{- end }}
    {{- if $v.state.redis.existingSecret }}
    - name: secret-redis
      mountPath: {{ $v.state.redis.mountPath | quote }}
      readOnly: true
    {{- end }}
    {{- if .mountModels }}
    - name: models
      mountPath: {{ .modelsDir | quote }}
      readOnly: true
    {{- end }}
{{- end -}}

{{/* The volumes of warden.container (not the model volume); call with the root context. */}}
{{- define "warden.volumes" -}}
- name: policy
  configMap:
    name: {{ include "warden.policyConfigMapName" . }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmp.sizeLimit }}
- name: state
  {{- if .Values.state.embedded.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.state.embedded.existingClaim }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- range $key, $ref := .Values.secrets }}
{{- if $ref.existingSecret }}
- name: {{ printf "secret-%s" (lower $key) }}
  secret:
    secretName: {{ $ref.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}
{{- if .Values.state.redis.existingSecret }}
- name: secret-redis
  secret:
    secretName: {{ .Values.state.redis.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end -}}
