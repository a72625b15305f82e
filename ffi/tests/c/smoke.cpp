// The header from C++: it compiles with warnings as errors, and the library links and answers.
#include "callboard.h"

#include <cmath>
#include <cstdio>
#include <cstring>

int main() {
    if (std::strlen(cb_version()) == 0) return 1;
    cb_erlang_query query = {CB_MODEL_ERLANG_C, 6.0, 180.0, 0.0, 20.0};
    cb_figures figures;
    cb_status status = cb_erlang_evaluate(&query, 8.0, &figures);
    if (status != CB_STATUS_OK) {
        std::fprintf(stderr, "cb_erlang_evaluate: %s\n", cb_status_str(status));
        return 1;
    }
    // The textbook case: 0.356 981 08... (mpmath, closed form).
    if (std::fabs(figures.p_wait - 0.35698108587868029) > 1e-12) return 1;
    if (cb_erlang_evaluate(nullptr, 8.0, &figures) != CB_STATUS_NULL_ARGUMENT) return 1;
    std::puts("smoke.cpp: ok");
    return 0;
}
