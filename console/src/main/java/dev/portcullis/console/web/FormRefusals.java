package dev.portcullis.console.web;

import dev.portcullis.console.refusal.Refusal;
import java.util.Optional;

/** Why a form was refused, for the audit log: the checks of {@code ConsoleHttpServer}, in the same order. */
public final class FormRefusals {
    private FormRefusals() {}

    /**
     * The refusal of {@code request}, a form that failed the same-site check against {@code origin}
     * (the console's own). Never quotes the CSRF token, the cookie or the foreign origin.
     */
    public static Refusal of(WebRequest request, String origin) {
        String subject = request.session().map(session -> session.user().subject()).orElse("");
        return new Refusal(reason(request, origin), request.method(), request.path(), request.sourceAddress(), subject);
    }

    private static String reason(WebRequest request, String origin) {
        if (request.session().isEmpty()) {
            return "SESSION_MISSING";
        }
        Optional<String> from = request.header("origin");
        if (from.isPresent() && !from.get().equals(origin)) {
            return "ORIGIN_FOREIGN";
        }
        Optional<String> site = request.header("sec-fetch-site");
        if (site.isPresent() && !site.get().equals("same-origin")) {
            return "CROSS_SITE";
        }
        return request.formValue("csrf").isEmpty() ? "CSRF_MISSING" : "CSRF_MISMATCH";
    }
}
