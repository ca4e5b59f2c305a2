{{/* The four services, in install order. */}}
{{- define "portcullis.serviceNames" -}}
audit policy executor gateway
{{- end -}}

{{- define "portcullis.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one service's objects: FULLNAME-SERVICE. Call with (list $ "gateway"). */}}
{{- define "portcullis.name" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "portcullis.fullname" $root) (index . 1) -}}
{{- end -}}

{{/* Labels selecting every pod of this release. */}}
{{- define "portcullis.releaseSelector" -}}
app.kubernetes.io/name: portcullis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels selecting one service's pods. Call with (list $ "gateway"). */}}
{{- define "portcullis.selector" -}}
{{ include "portcullis.releaseSelector" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "portcullis.labels" -}}
{{ include "portcullis.selector" . }}
app.kubernetes.io/part-of: portcullis
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
app.kubernetes.io/version: {{ (index . 0).Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" (index . 0).Chart.Name (index . 0).Chart.Version }}
{{- end -}}

{{/* The SPIFFE ID of one service. Call with (list $ "gateway"). */}}
{{- define "portcullis.spiffeId" -}}
{{- printf "spiffe://%s/service/%s" (index . 0).Values.trustDomain (index . 1) -}}
{{- end -}}

{{/* host:port of one service inside the cluster. Call with (list $ "policy"). */}}
{{- define "portcullis.address" -}}
{{- printf "%s:%v" (include "portcullis.name" .) (index . 0).Values.ports.grpc -}}
{{- end -}}

{{/* The image of one service: by digest when one is given. Call with (list $ "gateway"). */}}
{{- define "portcullis.image" -}}
{{- $root := index . 0 -}}
{{- $digest := index $root.Values.image.digests (index . 1) -}}
{{- if $digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" $digest) -}}
{{- fail (printf "image.digests.%s must be sha256:<64 hex>" (index . 1)) -}}
{{- end -}}
{{- printf "%s/%s@%s" $root.Values.image.repository (index . 1) $digest -}}
{{- else -}}
{{- printf "%s/%s:%s" $root.Values.image.repository (index . 1) $root.Values.image.tag -}}
{{- end -}}
{{- end -}}

{{/* A third-party image must be pinned by a real digest. Call with (list "key" "image"). */}}
{{- define "portcullis.pinnedImage" -}}
{{- $key := index . 0 -}}
{{- $image := index . 1 -}}
{{- if not (regexMatch "@sha256:[0-9a-f]{64}$" $image) -}}
{{- fail (printf "%s must be pinned by digest (image@sha256:...)" $key) -}}
{{- end -}}
{{- if hasSuffix (repeat 64 "0") $image -}}
{{- fail (printf "%s still carries the placeholder digest: set the digest of the release you verified" $key) -}}
{{- end -}}
{{- $image -}}
{{- end -}}

{{/* The restricted-profile security context of every container. */}}
{{- define "portcullis.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "portcullis.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* "true" when audit.witnesses names a witness (webhook URLs, their Secret or an S3 bucket), else empty. */}}
{{- define "portcullis.auditWitnessed" -}}
{{- with .Values.audit.witnesses -}}
{{- if and .webhookUrls .webhookUrlsSecret.name -}}
{{- fail "set audit.witnesses.webhookUrls or audit.witnesses.webhookUrlsSecret, not both: the Secret's variable would silently replace the list" -}}
{{- end -}}
{{- if or .webhookUrls .webhookUrlsSecret.name .s3.bucket -}}
true
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The console's SPIFFE ID. */}}
{{- define "portcullis.consoleId" -}}
{{- printf "spiffe://%s/console" .Values.trustDomain -}}
{{- end -}}

{{/* With the console enabled: the gateway's and audit service's settings that accept people's ID
tokens from it (the console as delegate, its identity provider as an issuer of kind human). */}}
{{- define "portcullis.humanIssuer" -}}
{{- with .Values.console }}
{{- if .enabled }}
{{- $name := .oidc.issuerName }}
{{- if not (regexMatch "^[A-Za-z0-9_-]+$" $name) }}
{{- fail "console.oidc.issuerName must be letters, digits, - and _" }}
{{- end }}
{{- if not (hasPrefix (printf "spiffe://%s/human/" $.Values.trustDomain) (required "console.oidc.identityTemplate (e.g. spiffe://TRUST_DOMAIN/human/{sub}) is required with console.enabled" .oidc.identityTemplate)) }}
{{- fail (printf "console.oidc.identityTemplate must lie under spiffe://%s/human/" $.Values.trustDomain) }}
{{- end }}
portcullis.oidc.delegates={{ include "portcullis.consoleId" $ }}
portcullis.oidc.issuers.{{ $name }}.kind=human
portcullis.oidc.issuers.{{ $name }}.issuer-url={{ required "console.oidc.issuerUrl (the identity provider's https issuer) is required with console.enabled" .oidc.issuerUrl }}
portcullis.oidc.issuers.{{ $name }}.audience={{ required "console.oidc.clientId is required with console.enabled" .oidc.clientId }}
portcullis.oidc.issuers.{{ $name }}.ca-file=/var/run/portcullis/idp-ca/ca.crt
portcullis.oidc.issuers.{{ $name }}.identity-template={{ .oidc.identityTemplate }}
{{- with .oidc.approvalMaxLoginAge }}
portcullis.oidc.issuers.{{ $name }}.approval-max-login-age={{ . }}
{{- end }}
{{- with .oidc.approvalRequiredAmr }}
portcullis.oidc.issuers.{{ $name }}.approval-required-amr={{ join "," . }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
