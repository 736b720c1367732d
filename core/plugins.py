"""The plugin manager: finds plugins through ``sesim.plugins`` entry points, enables the ones the
deployment names, and calls hooks.

Two rules. Wiring fails loudly: a plugin that cannot be imported, or whose start-up hook
(settings, blueprints, CSP sources, CLI commands) raises, stops the app with a
:class:`PluginError` naming it, so no half-wired app ever serves. Events stay isolated: a
plugin failing on a message or a report is logged and skipped, the others still run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from itertools import islice
from pathlib import Path

import pluggy
from flask import current_app

from core import hookspecs
from core.config import ConfigError, split_list

log = logging.getLogger("sesim.plugins")
ENTRY_POINT_GROUP = "sesim.plugins"


class PluginError(ConfigError):
    """An enabled plugin failed to load or to wire itself in; the app does not start."""


@dataclass
class PluginRecord:
    """What ``sesim plugins list`` shows about one installed plugin."""

    name: str
    module: str
    version: str
    enabled: bool
    hooks: list[str] = field(default_factory=list)
    path: Path | None = None


class PluginHost:
    def __init__(self) -> None:
        self.manager = pluggy.PluginManager("sesim")
        self.manager.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}

    def load(self, wanted) -> None:
        """Load the enabled plugins; an unknown name is a configuration error."""
        installed = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
        names = split_list(wanted)
        if "all" in names:
            names = list(installed)
        unknown = sorted(set(names) - set(installed))
        if unknown:
            raise ConfigError(
                f"SESIM_PLUGINS names unknown plugin(s): {', '.join(unknown)}. "
                f"Installed: {', '.join(sorted(installed)) or 'none'}"
            )
        for name, ep in sorted(installed.items()):
            version = ep.dist.version if ep.dist else "?"
            record = PluginRecord(name, ep.value, version, enabled=name in names)
            self.records[name] = record
            if record.enabled:
                self._register(record, ep)

    def _register(self, record: PluginRecord, ep) -> None:
        try:
            module = ep.load()
            self.manager.register(module, name=record.name)
            self.manager.check_pending()  # a hook no spec knows (e.g. one that was removed)
        except Exception as exc:
            raise PluginError(f"plugin {record.name!r} failed to load: {type(exc).__name__}: {exc} "
                              f"(fix it, or remove it from SESIM_PLUGINS)") from exc
        record.hooks = sorted(c.name for c in self.manager.get_hookcallers(module) or [])
        if getattr(module, "__file__", None):
            record.path = Path(module.__file__).parent

    def loaded(self) -> list[PluginRecord]:
        return [r for r in self.records.values() if r.enabled]

    def wire(self, name: str, **kwargs) -> list:
        """Call start-up hook ``name`` on every plugin; the first that raises stops the app."""
        results = []
        for impl in reversed(getattr(self.manager.hook, name).get_hookimpls()):
            try:
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception as exc:
                raise PluginError(f"plugin {impl.plugin_name!r} failed in {name}: "
                                  f"{type(exc).__name__}: {exc} "
                                  f"(fix it, or remove it from SESIM_PLUGINS)") from exc
            if result is not None:
                results.append(result)
        return results

    def translation_dirs(self) -> list[str]:
        dirs = (r.path / "translations" for r in self.loaded() if r.path)
        return [str(d) for d in dirs if d.is_dir()]

    def call(self, name: str, **kwargs) -> list:
        """Call every implementation of hook ``name``; a raising one is logged and skipped. For a
        ``firstresult`` hook, the list holds at most the first answer, as pluggy would return."""
        results = self._results(name, kwargs)
        if getattr(self.manager.hook, name).spec.opts.get("firstresult"):
            return list(islice(results, 1))
        return list(results)

    def first(self, name: str, **kwargs):
        """Call implementations until one returns something other than None."""
        return next(self._results(name, kwargs), None)

    def notify(self, name: str, only=None, **kwargs) -> list[str]:
        """Call hook ``name`` as ``call`` does, on the plugins named in ``only`` when given; return
        the names of those that raised, so that the caller can try them (alone) again."""
        failed: list[str] = []
        for _ in self._results(name, kwargs, failed, only):
            pass
        return failed

    def _results(self, name: str, kwargs: dict, failed: list | None = None, only=None):
        caller = getattr(self.manager.hook, name)
        # pluggy's own calling order: tryfirst/trylast, then the most recently registered first.
        for impl in reversed(caller.get_hookimpls()):
            if only is not None and impl.plugin_name not in only:
                continue
            try:
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception:
                log.exception("plugin %s failed in %s", impl.plugin_name, name)
                _rollback()  # a failed write must not break the rest of the request
                if failed is not None:
                    failed.append(impl.plugin_name)
                continue
            if result is not None:
                yield result

    def implementations(self, name: str) -> list:
        """``(plugin_name, function)`` pairs, for callers that must handle each plugin apart
        (e.g. iterate a generator and count its failures)."""
        caller = getattr(self.manager.hook, name)
        return [(impl.plugin_name, impl.function) for impl in reversed(caller.get_hookimpls())]


def _rollback() -> None:
    from core.extensions import db

    try:
        db.session.rollback()
    except Exception:  # no app context or no database: nothing to undo
        log.debug("no session to roll back")


def host() -> PluginHost:
    return current_app.extensions["sesim"]


def call_hook(name: str, **kwargs) -> list:
    return host().call(name, **kwargs)


def first_result(name: str, **kwargs):
    return host().first(name, **kwargs)


def notify_plugins(name: str, only=None, **kwargs) -> list[str]:
    return host().notify(name, only, **kwargs)
