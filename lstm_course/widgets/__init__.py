"""Interactive controls for the chapters.

Every widget is three thin layers, so its math can later run without a kernel
(for example as a JavaScript module tested against the same numpy code):

1. a pure compute function (numpy in, numbers out, no drawing);
2. a figure function (takes the computed values, draws or updates matplotlib
   artists, returns the Figure, never calls ``plt.show()``);
3. an ``ipywidgets`` layout that joins them through ``observe`` callbacks. Nothing
   is printed from a callback: text goes to a ``Label`` or ``HTML`` widget, so a
   notebook's stored outputs stay deterministic.

The chapters call each figure function once with fixed values as well, so the
static site and a printout always show a result.
"""

from .recurrence import (  # noqa: E402
    gradient_curve,
    gradient_figure,
    gradient_widget,
    state_figure,
    state_stepper,
    unrolled_states,
    update_gradient_figure,
    update_state_figure,
)
from .gates import (  # noqa: E402
    gate_figure,
    gate_pass,
    gate_widget,
    param_count_figure,
    param_count_widget,
    update_gate_figure,
    update_param_count_figure,
)
from .sampling import (  # noqa: E402
    temperature_distribution,
    temperature_figure,
    temperature_widget,
    update_temperature_figure,
)
from .explorer import (  # noqa: E402
    PRESETS,
    cell_flows,
    cell_step,
    explorer_figure,
    explorer_widget,
    preset_schedule,
    run_schedule,
    sequence_figure,
    sequence_widget,
    update_explorer_figure,
    update_sequence_figure,
)
