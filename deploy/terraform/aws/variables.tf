variable "name" {
  description = "Prefix of every resource: the ECS cluster, the runner task definition family, roles and the log group."
  type        = string
  default     = "portcullis"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the cluster, the log group and the artifact bucket, e.g. eu-central-1."
  type        = string
}

variable "environments" {
  description = "The catalog's environments (e.g. [\"stage\", \"prod\"]): the executor's Vault policy reads KV secrets under each."
  type        = set(string)

  validation {
    condition     = length(var.environments) > 0 && alltrue([for e in var.environments : can(regex("^[a-z][a-z0-9-]{0,31}$", e))])
    error_message = "environments must name at least one environment of lowercase letters, digits or '-'."
  }
}

variable "artifact_prefix" {
  description = "Key prefix of plan artifacts in the bucket: portcullis.executor.artifacts.s3-prefix must be the same. The executor's role reaches only keys under it."
  type        = string
  default     = "portcullis/artifacts/"

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+/)+$", var.artifact_prefix))
    error_message = "artifact_prefix must be one or more segments of letters, digits, '.', '_', '-', each ending in '/', e.g. portcullis/artifacts/."
  }
}

variable "git_token_secret_arn" {
  description = "Secrets Manager secret (its ARN) holding the read-only git token for private https repositories, a plain string: ECS puts it into the runner as PORTCULLIS_GIT_TOKEN for the clone, and the executor reads the same token from a Kubernetes Secret kept in step with it (Helm executor.git.tokenSecret). Empty: no token (public repositories only)."
  type        = string
  default     = ""

  validation {
    condition     = var.git_token_secret_arn == "" || can(regex("^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.git_token_secret_arn))
    error_message = "git_token_secret_arn must be empty or the ARN of a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX), without a JSON key or version suffix."
  }
}

variable "runner_image" {
  description = "The runner image (deploy/runner), pinned by digest: REPOSITORY@sha256:HEX."
  type        = string

  validation {
    condition     = can(regex("^[^@ ]+@sha256:[0-9a-f]{64}$", var.runner_image))
    error_message = "runner_image must be pinned by digest: REPOSITORY@sha256:<64 hex>."
  }
}

variable "runner_ecr_repository_arn" {
  description = "ARN of the ECR repository holding the runner image: the task execution role may pull from it alone."
  type        = string
}

variable "runner_cpu" {
  description = "Fargate CPU units of one runner task."
  type        = number
  default     = 1024
}

variable "runner_memory" {
  description = "Fargate memory (MiB) of one runner task."
  type        = number
  default     = 2048
}

variable "runner_ephemeral_storage_gib" {
  description = "Fargate ephemeral storage (GiB) of one runner task: the checkout and the tools' caches."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps runner logs. The redacted copy the executor keeps is separate."
  type        = number
  default     = 90
}

variable "log_stream_prefix" {
  description = "The awslogs stream prefix: portcullis.executor.ecs.log-stream-prefix must be the same."
  type        = string
  default     = "runner"
}

variable "eks_oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "eks_oidc_issuer" {
  description = "The EKS cluster's OIDC issuer without https://, e.g. oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE."
  type        = string

  validation {
    condition     = !startswith(var.eks_oidc_issuer, "https://")
    error_message = "eks_oidc_issuer is the issuer host and path, without https://."
  }
}

variable "executor_namespace" {
  description = "Kubernetes namespace of the Helm release."
  type        = string
  default     = "portcullis"
}

variable "executor_service_account" {
  description = "The executor's Kubernetes service account: RELEASE-executor when the release is named portcullis."
  type        = string
  default     = "portcullis-executor"
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC of the runner tasks' private subnets: the runner's security group is created in it."
  type        = string
}

variable "vault_kv_mount" {
  description = "Vault KV v2 mount of the catalog's kv: grants (portcullis.executor.vault.kv-mount)."
  type        = string
  default     = "secret"
}

variable "vault_aws_mount" {
  description = "Vault AWS secrets engine mount of the catalog's aws: grants."
  type        = string
  default     = "aws"
}

variable "vault_aws_roles" {
  description = "The Vault AWS roles the catalog grants (aws:MOUNT/creds/ROLE), e.g. [\"readonly-prod\", \"deploy-prod\"]."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.vault_aws_roles : can(regex("^[A-Za-z0-9_-]+$", r))])
    error_message = "vault_aws_roles are role names: letters, digits, '-' or '_'."
  }
}
