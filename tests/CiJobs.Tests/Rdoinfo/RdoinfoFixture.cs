using CiJobs.Tests.Support;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>A small rdoinfo tree in a temp folder; tests overwrite or add files to make variants.</summary>
public sealed class RdoinfoFixture : IDisposable
{
    public const string Main = """
        import:
        - tags.yml
        releases:
        - name: epoxy
          status: development
          branch: rpm-master
          upstream_branch: master
          repos:
          - name: el9s
            buildsys-tags:
            - cloud9s-openstack-epoxy-candidate
        - name: dalmatian
          status: maintained
          branch: dalmatian-rdo
          upstream_branch: stable/2024.2
          repos:
          - name: el9s
            branch: c9s-dalmatian-rdo
        package-default:
          name: python-%(project)s
          maintainers:
          - packagers@example.org
          master-distgit: https://git.example.org/distgits/%(project)s-distgit.git
          tags:
            epoxy:
        package-configs:
          core:
            name: openstack-%(project)s
            upstream: https://opendev.org/openstack/%(project)s
            component: common
          client:
            upstream: https://opendev.org/openstack/python-%(project)s
            component: clients
        packages:
        - project: glance
          conf: core
          maintainers:
          - alice@example.org
        - project: glanceclient
          conf: client
        """;

    public const string Tags = """
        import:
        - tags/epoxy.yml
        - tags/dalmatian.yml
        """;

    public const string EpoxyTags = """
        packages:
        - project: glance
          tags:
            epoxy:
        - project: glanceclient
          tags:
            epoxy:
              source-branch: 4.7.0
        """;

    public const string DalmatianTags = """
        packages:
        - project: glance
          tags:
            dalmatian:
        - project: glanceclient
          tags:
            dalmatian:
              source-branch: 4.6.0
        """;

    private readonly TempDir dir = new("rdoinfo");

    public RdoinfoFixture()
    {
        Write("rdo-full.yml", "import:\n- rdo.yml\n");
        Write("rdo.yml", Main);
        Write("tags.yml", Tags);
        Write("tags/epoxy.yml", EpoxyTags);
        Write("tags/dalmatian.yml", DalmatianTags);
    }

    public string Path => dir.Path;

    public RdoinfoFixture Write(string relativePath, string content)
    {
        dir.Write(relativePath, content.ReplaceLineEndings("\n") + "\n");
        return this;
    }

    public void Dispose() => dir.Dispose();
}
