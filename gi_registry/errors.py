"""Error pages in both languages, and the mapping of domain exceptions to HTTP answers."""

from flask import Flask, current_app
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .exceptions import InvalidTransition, NotPermitted
from .extensions import db

# Both languages on every error page: the visitor may have reached it before choosing one.
MESSAGES = {
    400: ("请求无效", "Bad request", "请求不完整或已过期，请返回上一页重试。",
          "The request was incomplete or expired. Go back and try again."),
    403: ("无权访问", "Forbidden", "您没有权限查看或执行此操作。",
          "You do not have permission to see this or to do this."),
    404: ("页面不存在", "Not found", "找不到您要访问的页面或记录。",
          "The page or record you asked for does not exist."),
    405: ("方法不允许", "Method not allowed", "此页面不接受该请求方式。",
          "This page does not accept that kind of request."),
    409: ("状态冲突", "Conflict", "该记录的状态不允许此操作，或已被他人更改。请刷新后重试。",
          "The record's state does not allow this, or someone else changed it. Reload and retry."),
    413: ("文件过大", "File too large", "上传的内容超过了允许的大小。",
          "The upload is larger than allowed."),
    429: ("请求过于频繁", "Too many requests", "请稍后再试。",
          "Too many requests. Please wait a moment and try again."),
    500: ("服务器错误", "Server error", "出现了意外错误，已记录。请稍后再试。",
          "Something went wrong on our side; it has been logged. Please try again later."),
    503: ("服务暂不可用", "Service unavailable", "数据库暂时无法连接，请稍后再试。",
          "The registry's database cannot be reached just now. Please try again shortly."),
}  # fmt: skip


def render_error(code: int):
    """The bilingual page for `code` with that status.

    Rendered without the context processors: Flask-Login's loads the user from the database,
    and an error page must show even when the database is what failed.
    """
    title_zh, title_en, text_zh, text_en = MESSAGES.get(code, MESSAGES[500])
    page = current_app.jinja_env.get_template("errors/error.html").render(
        code=code,
        title_zh=title_zh,
        title_en=title_en,
        text_zh=text_zh,
        text_en=text_en,
    )
    return page, code


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            response = error.get_response()
            body, code = render_error(error.code)
            response.set_data(body)
            response.content_type = "text/html; charset=utf-8"
            return response
        return error

    @app.errorhandler(NotPermitted)
    def not_permitted(error):
        return render_error(403)

    @app.errorhandler(InvalidTransition)
    def invalid_transition(error):
        return render_error(409)

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error):
        # Someone else changed the row between our read and our write (version_id_col).
        discard_session()
        app.logger.warning("stale data: %s", error)
        return render_error(409)

    @app.errorhandler(DBAPIError)
    def database_error(error):
        discard_session()
        if database_unavailable(error):
            app.logger.error("database unavailable: %s", error)
            page, code = render_error(ServiceUnavailable.code)
            return page, code, {"Retry-After": "30"}
        app.logger.exception("database error")
        return render_error(InternalServerError.code)

    @app.errorhandler(Exception)
    def unexpected(error):
        discard_session()
        app.logger.exception("unhandled error")
        return render_error(InternalServerError.code)


def database_unavailable(error: DBAPIError) -> bool:
    """The database is out of reach or its file unusable (not a fault of the request)."""
    return (
        error.connection_invalidated
        or isinstance(error, OperationalError | InterfaceError)
        or type(error) is DatabaseError  # SQLite: "file is not a database"
    )


def discard_session() -> None:
    """Roll back the request's session; if even that fails (the connection is gone), drop it."""
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.warning("rollback failed; discarding the session", exc_info=True)
        try:
            db.session.remove()
        except Exception:
            current_app.logger.warning("the session could not be closed either", exc_info=True)
