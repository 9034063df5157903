export { binMatrix, binEdges, binOf, MAX_BINS, type BinnedMatrix } from "./binning.js";
export { FlatTree, type TreeJson } from "./flat-tree.js";
export { growTree, type GrowOptions, type GrownTree, type LeafRange } from "./grow.js";
export { SMALL_NODE, splitFromHistogram, splitBySorting, type NodeSearch, type Split } from "./split.js";
