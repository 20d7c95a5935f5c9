"""What a mailing's body is made of: text, images, buttons, and the latest news."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

# E-mail clients know little HTML: headings, emphasis, links and lists are enough.
TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class ButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=60)
    url = blocks.URLBlock(label=_("address"))

    class Meta:
        icon = "link"
        label = _("Button")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    description = blocks.CharBlock(
        label=_("description for people who cannot see it"), max_length=200
    )

    class Meta:
        icon = "image"
        label = _("Image")


class LatestNewsBlock(blocks.StructBlock):
    count = blocks.IntegerBlock(label=_("how many articles"), min_value=1, max_value=6, default=3)

    class Meta:
        icon = "list-ul"
        label = _("Latest news")


class MailingBody(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=TEXT_FEATURES, label=_("Text"))
    image = ImageBlock()
    button = ButtonBlock()
    latest_news = LatestNewsBlock()
