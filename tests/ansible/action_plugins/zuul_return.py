# Test-only stand-in for Zuul's zuul_return (it exists only inside a Zuul executor).
# Like Zuul, it merges the returned data into the JSON file zuul.executor.result_data_file:
# zuul.artifacts are appended across calls, other keys replace earlier values.
import json
import os

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        path = task_vars["zuul"]["executor"]["result_data_file"]
        current = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as stream:
                current = json.load(stream)
        data = self._task.args.get("data") or {}
        returned_zuul = current.setdefault("zuul", {})
        for key, value in (data.get("zuul") or {}).items():
            if key == "artifacts":
                returned_zuul.setdefault("artifacts", []).extend(value)
            else:
                returned_zuul[key] = value
        for key, value in data.items():
            if key != "zuul":
                current[key] = value
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(current, stream, indent=2, sort_keys=True)
        result["changed"] = False
        return result
