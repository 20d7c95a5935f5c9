from harbour.coalition.models import MemberGroupIndexPage, MemberGroupPage


def make_directory(home) -> MemberGroupIndexPage:
    directory = MemberGroupIndexPage(title="Member groups", slug="members")
    home.add_child(instance=directory)
    directory.save_revision().publish()
    return directory


def make_group(directory, title, *, city="", province="", **fields) -> MemberGroupPage:
    group = MemberGroupPage(title=title, city=city, province=province, **fields)
    directory.add_child(instance=group)
    group.save_revision().publish()
    return group
