{{/*
Names and labels shared by every template. Component names follow z2jh:
campus.<component>.fullname.
*/}}

{{- define "campus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "campus.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else if contains (include "campus.name" .) .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "campus.name" .) | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "campus.hub.fullname" -}}{{ include "campus.fullname" . }}-hub{{- end }}
{{- define "campus.proxy.fullname" -}}{{ include "campus.fullname" . }}-proxy{{- end }}
{{- define "campus.proxy.api.fullname" -}}{{ include "campus.fullname" . }}-proxy-api{{- end }}
{{- define "campus.opa.fullname" -}}{{ include "campus.fullname" . }}-opa{{- end }}
{{- define "campus.api.fullname" -}}{{ include "campus.fullname" . }}-api{{- end }}
{{- define "campus.deny.fullname" -}}{{ include "campus.fullname" . }}-deny{{- end }}
{{- define "campus.gateway.fullname" -}}{{ include "campus.fullname" . }}-gateway{{- end }}
{{- define "campus.gateway.proxy.fullname" -}}{{ include "campus.fullname" . }}-gateway-proxy{{- end }}
{{- define "campus.gateway.controller.fullname" -}}{{ include "campus.fullname" . }}-gateway-controller{{- end }}
{{- define "campus.workspaces.namespace" -}}{{ .Values.workspaces.namespace }}{{- end }}

{{- define "campus.labels" -}}
app.kubernetes.io/name: {{ include "campus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: big-data-campus
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* Selector labels of one component: call with (dict "root" $ "component" "hub"). */}}
{{- define "campus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "campus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "campus.componentLabels" -}}
{{ include "campus.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "campus.image" -}}
{{ .name }}:{{ .tag }}
{{- end }}

{{/*
IMPORTANT: the pod and container security contexts of every pod the chart runs.
They meet Pod Security "restricted" so the namespaces can enforce it.
*/}}
{{- define "campus.podSecurityContext" -}}
runAsNonRoot: true
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "campus.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 1000 }}
runAsGroup: {{ .gid | default 1000 }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "campus.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/*
IMPORTANT: every ipBlock the chart renders excludes the cloud metadata address, so no
rule can open it by accident (policies/k8s checks this on the rendered manifests).
*/}}
{{- define "campus.ipBlock" -}}
{{- if hasPrefix "169.254." . }}
{{- fail (printf "networkPolicy: %s covers the link-local range of the cloud metadata service" .) }}
{{- end -}}
- ipBlock:
    cidr: {{ . }}
    {{- if eq . "0.0.0.0/0" }}
    except:
      - 169.254.169.254/32
    {{- end }}
{{- end }}

{{/*
NetworkPolicy peers. A component of this release, seen from its own namespace or from
the workspaces namespace: call with (dict "root" $ "component" "hub").
*/}}
{{- define "campus.peer" -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .root.Release.Namespace }}
  podSelector:
    matchLabels:
      {{- include "campus.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* Pods of one campus workload (workspace, dask-scheduler, dask-worker) in the workspaces namespace. */}}
{{- define "campus.workloadPeer" -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .root.Values.workspaces.namespace }}
  podSelector:
    matchLabels:
      campus/workload: {{ .workload }}
{{- end }}

{{/* Cluster DNS, for the control-plane pods only (workspaces get none: DNS is a tunnel). */}}
{{- define "campus.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
{{- end }}

{{- define "campus.databaseEgress" -}}
- to:
    {{- range .Values.networkPolicy.databaseCidrs }}
    {{- include "campus.ipBlock" . | nindent 4 }}
    {{- end }}
  ports:
    - {protocol: TCP, port: {{ .Values.networkPolicy.databasePort }}}
{{- end }}

{{/*
The OPA bundle: the repository's policies/campus (Rego and data, without tests) plus the
bundle manifest, as "<configmap key>: <path in the bundle>". ConfigMap keys cannot hold
"/", so "--" stands for it.
*/}}
{{- define "campus.opa.bundleFiles" -}}
{{- $files := dict }}
{{- range $path, $_ := .Files.Glob "policies/{campus,system}/**" }}
{{- if and (not (hasSuffix "_test.rego" $path)) (or (hasSuffix ".rego" $path) (hasSuffix ".json" $path)) }}
{{- $rel := trimPrefix "policies/" $path }}
{{- $_ := set $files (replace "/" "--" $rel) $rel }}
{{- end }}
{{- end }}
{{- $_ := set $files "manifest" ".manifest" }}
{{- toYaml $files }}
{{- end }}

{{/* The campus API's command line (hub image). */}}
{{- define "campus.api.command" -}}
["python", "-m", "hub.service"]
{{- end }}

{{- define "campus.dns.fullname" -}}{{ include "campus.fullname" . }}-dask-dns{{- end }}

{{/* An explicit, short-lived Kubernetes API token (no automount anywhere in the chart). */}}
{{- define "campus.kubeApiAccessVolume" -}}
- name: kube-api-access
  projected:
    sources:
      - serviceAccountToken:
          path: token
          expirationSeconds: 3600
      - configMap:
          name: kube-root-ca.crt
          items: [{key: ca.crt, path: ca.crt}]
      - downwardAPI:
          items:
            - path: namespace
              fieldRef: {fieldPath: metadata.namespace}
{{- end }}

{{- define "campus.kubeApiAccessMount" -}}
- name: kube-api-access
  mountPath: /var/run/secrets/kubernetes.io/serviceaccount
  readOnly: true
{{- end }}

{{/* Egress to the Kubernetes API server, for the parts that hold a token. */}}
{{- define "campus.kubeApiEgress" -}}
- to:
    {{- range .Values.networkPolicy.kubeApiCidrs }}
    {{- include "campus.ipBlock" . | nindent 4 }}
    {{- end }}
  ports:
    {{- range .Values.networkPolicy.kubeApiPorts }}
    - {protocol: TCP, port: {{ . }}}
    {{- end }}
{{- end }}
