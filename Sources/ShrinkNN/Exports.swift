// ShrinkNN's API is made of ShrinkGraph's types (Graph, Node, Operator, Parameter, ForwardMode):
// importing ShrinkNN brings them along, so code that builds and trains networks needs one import.
@_exported import ShrinkGraph
