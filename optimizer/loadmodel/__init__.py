"""The datacenter load model (docs/load-model.md): site load from IT capacity, training and
inference mix, growth and a temperature-dependent PUE."""

from optimizer.loadmodel.model import datacenter_load, it_load_mw, pue
from optimizer.loadmodel.spec import DatacenterLoad, DatacenterLoadSpec

__all__ = ["DatacenterLoad", "DatacenterLoadSpec", "datacenter_load", "it_load_mw", "pue"]
