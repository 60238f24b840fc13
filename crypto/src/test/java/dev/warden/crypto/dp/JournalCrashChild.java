package dev.warden.crypto.dp;

import java.nio.file.Path;
import java.util.function.Function;

/** Child process for the crash test: debits in a loop from 4 threads, printing each acknowledged request id. */
public final class JournalCrashChild {
    static final String TENANT = "crash-tenant";
    static final String MODEL = "crash-model";
    static final PrivacyCost COST = PrivacyCost.ofMicros(7);
    static final Function<String, ModelBudgetPolicy> POLICIES = m -> ModelBudgetPolicy.of(
            PrivacyBudget.ofEpsilonDelta(1000, 1e-6), PrivacyBudget.ofEpsilonDelta(1000, 1e-6));

    private JournalCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        JournalPrivacyLedger ledger = JournalPrivacyLedger.open(Path.of(args[0]), POLICIES);
        String prefix = args[1];
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                for (int i = 0; ; i++) {
                    String rid = prefix + "-" + id + "-" + i;
                    try {
                        ledger.debit(rid, TENANT, MODEL, COST);
                    } catch (Exception e) {
                        System.err.println("debit failed: " + e);
                        return;
                    }
                    synchronized (System.out) {
                        System.out.println("ACK " + rid);
                        System.out.flush();
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
    }
}
