using System.Text.Json.Nodes;
using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class CheckResultTests
{
    [Test]
    public void Render_NoDetails_IsTheMessageString()
    {
        var node = new CheckResult(false, "nope").Render();

        Assert.That(node.GetValue<string>(), Is.EqualTo("nope"));
    }

    [Test]
    public void Render_EmptyDetails_IsCheckWithEmptyList()
    {
        var node = new CheckResult(false, "outer", []).Render();

        Assert.That(node.ToJsonString(), Is.EqualTo("""{"check":"outer","check_details":[]}"""));
    }

    [Test]
    public void Render_NestedDetails_RenderEachLevel()
    {
        var result = new CheckResult(false, "outer", [
            new CheckResult(false, "leaf"),
            new CheckResult(false, "inner", [new CheckResult(false, "deep")]),
        ]);

        var node = result.Render();

        Assert.That(
            node.ToJsonString(),
            Is.EqualTo("""{"check":"outer","check_details":["leaf",{"check":"inner","check_details":["deep"]}]}"""));
    }

    [Test]
    public void Render_CalledTwice_GivesIndependentNodes()
    {
        var result = new CheckResult(false, "outer", [new CheckResult(false, "leaf")]);

        var first = result.Render();
        var second = result.Render();
        // A node can have one parent only: the renderings must be attachable to two bodies.
        var bodies = new JsonArray(first, second);

        Assert.That(bodies.ToJsonString(), Is.EqualTo("""[{"check":"outer","check_details":["leaf"]},{"check":"outer","check_details":["leaf"]}]"""));
    }

    [Test]
    public void ToString_SaysWhetherSatisfied()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new CheckResult(true, "fine").ToString(), Is.EqualTo("satisfied: fine"));
            Assert.That(new CheckResult(false, "bad").ToString(), Is.EqualTo("not satisfied: bad"));
        });
    }

    [Test]
    public void Constructor_NullMessage_Throws()
    {
        Assert.That(() => new CheckResult(true, null!), Throws.ArgumentNullException);
    }
}
