package dev.portcullis.audit.source;

/** Which signature scheme and payload shapes an outside source speaks. */
public enum SourceKind {
    /** GitHub webhooks: {@code X-Hub-Signature-256} HMAC-SHA256 of the body, {@code X-GitHub-Delivery}, {@code X-GitHub-Event}. */
    GITHUB,
    /** GitLab webhooks: {@code X-Gitlab-Token}, {@code X-Gitlab-Event}, {@code Idempotency-Key} or {@code X-Gitlab-Event-UUID}. */
    GITLAB,
    /** Portcullis' generic signed JSON: {@code X-Portcullis-Signature} HMAC-SHA256 of the body, delivery id and time inside. */
    GENERIC
}
