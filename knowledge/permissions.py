"""Who may write the knowledge base and who publishes it."""

from accounts.roles import Role
from accounts.selectors import has_any_role


def read_all_articles(user) -> bool:
    """The vendor's staff read every article, drafts and internal ones included."""
    return has_any_role(user, Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.LEADER)


def write_articles(user) -> bool:
    """The desk and the engineers write what they learnt (drafts)."""
    return has_any_role(user, Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.LEADER)


def publish_articles(user) -> bool:
    """The management and leadership groups answer for what the duty staff and the customers
    read: they publish, withdraw and change published articles."""
    return has_any_role(user, Role.MANAGER, Role.LEADER)


def change_article(article, user) -> bool:
    """Drafts by any writer; a published article only by those who publish."""
    if publish_articles(user):
        return True
    return write_articles(user) and article.state == article.State.DRAFT
