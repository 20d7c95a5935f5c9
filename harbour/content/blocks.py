"""StreamField blocks of article and standard pages (bakerydemo's base/blocks.py shape)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    size = blocks.ChoiceBlock(
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "content/blocks/heading_block.html"
        preview_value = {"text": "Resettlement programmes", "size": "h2"}


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "content/blocks/quote_block.html"
        preview_value = {"text": "We are stronger, together.", "attribution": "ACHK"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=300)
    alt_text = blocks.CharBlock(
        required=False, max_length=300, help_text=_("Describe the image for screen readers.")
    )

    class Meta:
        icon = "image"
        template = "content/blocks/image_block.html"


class ArticleStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        icon="pilcrow",
        template="content/blocks/paragraph_block.html",
        preview_value="<p>Since June, member groups have met MPs from every major party.</p>",
    )
    quote = QuoteBlock()
    image = ImageBlock()
    embed = EmbedBlock(
        icon="media",
        help_text=_("A YouTube or Vimeo address."),
        template="content/blocks/embed_block.html",
    )
