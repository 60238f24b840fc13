package dev.warden.crypto.dp;

import java.util.function.Function;

/** Argument checks shared by the ledgers. */
final class LedgerArgs {
    /** Longest accepted id (request, tenant, model): bounds journal records and Redis keys. */
    static final int MAX_ID_LENGTH = 512;

    private LedgerArgs() {
    }

    static String id(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(name + " longer than " + MAX_ID_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(name + " contains a control character at index " + i);
            }
        }
        return value;
    }

    /** Checks a debit's arguments (same rules for every ledger) and returns the model's budget policy. */
    static ModelBudgetPolicy debit(String requestId, String tenant, String model, PrivacyCost cost,
            Function<String, ModelBudgetPolicy> policies) {
        id(requestId, "request id");
        id(tenant, "tenant");
        id(model, "model");
        cost(cost);
        return policy(policies, model);
    }

    static ModelBudgetPolicy policy(Function<String, ModelBudgetPolicy> policies, String model) {
        ModelBudgetPolicy p = policies.apply(model);
        if (p == null) {
            throw new IllegalArgumentException("no privacy budget is configured for model '" + model + "'");
        }
        return p;
    }

    static PrivacyCost cost(PrivacyCost cost) {
        if (cost == null) {
            throw new IllegalArgumentException("cost must not be null");
        }
        return cost;
    }
}
