using GmaiBench.Model;
namespace GmaiBench.Taxonomy;

/// <summary>What a raw label that maps to no canonical label does: stop the build (fail) or reject its items.</summary>
public enum UnmappedLabelPolicy { Fail, Reject }
