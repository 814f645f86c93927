# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = Ir al contenido principal
language-menu = Idioma

## Home page
index-title = Denuncie una represalia de forma segura
index-intro = Este servicio le permite denunciar amenazas, ataques u otras represalias contra usted u otras personas por su labor en derechos humanos, incluido el contacto con las Naciones Unidas.
index-encrypted = Lo que envíe se cifra de inmediato. Solo un pequeño equipo de revisores de confianza puede leerlo. No registramos su dirección ni su dispositivo.
index-safety-title = Proteja su seguridad
index-safety-tor = Use Tor Browser y ponga su nivel de seguridad en “El más seguro” (Safest). Este sitio funciona por completo sin JavaScript.
index-safety-device = Si alguien puede revisar su teléfono o su computadora, use un dispositivo al que esa persona no tenga acceso y cierre el navegador al terminar.
index-safety-names = No tiene que dar su nombre. Usted decide en la página siguiente.
index-start = Hacer una denuncia
index-followup = Ya envié una denuncia

## Step 1: anonymity
report-title = Su denuncia
report-step1-intro = Primero, elija cómo tratamos su identidad. Puede leer cada opción con calma.
report-continue = Continuar
report-change-anonymity = Cambiar esta opción
report-chosen-anonymity = Su elección: { $choice }

## The form
report-intro = Las preguntas marcadas como “obligatoria” necesitan una respuesta. Todo lo demás es opcional.
report-required = obligatoria
report-section-report = Sobre lo que ocurrió
report-section-identity = Sobre usted
report-section-identity-help = Todo es opcional. Solo los revisores autorizados a ver identidades pueden leer esto.
report-section-consent = ¿Qué podemos hacer con su denuncia?
report-section-consent-help = Cada respuesta es independiente. Si no responde, la respuesta es “no”. Puede cambiar de opinión más adelante.
report-select-placeholder = Elija una opción
report-month-unknown = Mes desconocido
report-day-unknown = Día desconocido
report-warning = Tenga cuidado
report-submit = Enviar la denuncia de forma segura
report-submit-help = Su denuncia se cifra antes de guardarse.
report-errors-title = { $count ->
    [one] Revise una respuesta, por favor
   *[other] Revise { $count } respuestas, por favor
}
report-errors-intro = Todavía no se envió nada. Sus respuestas se conservan abajo.

## Field errors
error-required = Esta pregunta necesita una respuesta.
error-invalid-choice = Elija una de las opciones que se muestran.
error-too-long = Esta respuesta es demasiado larga: como máximo { $max } caracteres.
error-invalid-year = Indique un año entre { $min } y { $max }.
error-invalid-date = Esta fecha no existe. Revise el día y el mes.
error-day-without-month = Indique también el mes, no solo el día.
error-identity-anonymous = Usted eligió mantener el anonimato, así que no podemos aceptar un nombre ni un contacto. No se guardó nada.
error-not-allowed = Esta respuesta solo es posible con otra opción sobre su identidad.
error-control-chars = Esta respuesta contiene caracteres que no se pueden guardar. Elimínelos, por favor.

## Confirmation
confirm-title = Recibimos su denuncia
confirm-body = Su denuncia está cifrada y guardada. Un revisor la leerá.
confirm-next = Cierre esta ventana del navegador cuando termine. Si alguien puede revisar este dispositivo, borre el historial de navegación.

## Error pages
error-title = Algo salió mal
error-back = Volver al inicio
error-bad-request = No se pudo leer el formulario: { $detail }. No se guardó nada. Vuelva atrás e inténtelo de nuevo.
error-bad-request-detail-encoding = el texto no estaba en un formato legible
error-bad-request-detail-form = los datos del formulario estaban incompletos o dañados
error-bad-request-detail-fields = el formulario tenía campos inesperados o repetidos
error-csrf = Este formulario venció o no se envió desde este sitio. No se guardó nada. Abra el formulario de nuevo. Lo sentimos: sus respuestas no se conservaron.
error-not-found = Esta página no existe.
error-too-large = Lo que envió es demasiado grande (el límite es { $limit }). No se guardó nada. Acorte su texto e inténtelo de nuevo.
error-too-many = Demasiadas personas están usando este servicio en este momento. No se guardó nada. Inténtelo de nuevo en un minuto.
error-busy = El servidor está ocupado. No se guardó nada. Inténtelo de nuevo en un minuto.
error-stalled = Lo que envió dejó de llegar antes de estar completo, así que no se guardó nada. Compruebe su conexión e inténtelo de nuevo.
error-no-reviewers = Este servicio todavía no puede recibir denuncias, porque aún no se ha asignado a ningún revisor para leerlas. No se guardó nada. Inténtelo más tarde.
error-internal = El servidor tuvo un problema y no se guardó nada. Inténtelo más tarde.
error-method = Esta dirección no acepta ese tipo de solicitud.
error-identity-unavailable = Todavía no hay ningún revisor que pueda leer nombres y contactos, así que no podemos aceptarlos. Deje este campo en blanco. No se guardó nada.

## Codename (confirmation page)
codename-title = Su nombre en clave
codename-intro = Este nombre en clave es la única forma de volver, leer las respuestas y añadir información. Se muestra una sola vez.
codename-advice-write = Escríbalo en papel o apréndalo de memoria. Manténgalo lejos de cualquier persona que pueda registrarle.
codename-advice-device = No lo guarde en un teléfono ni en una computadora que le puedan quitar.
codename-advice-lost = Nadie puede recuperarlo, ni siquiera nosotros. Si lo pierde, puede enviar una nueva denuncia.
codename-followup = Para volver más tarde, elija “Ya envié una denuncia” en la primera página.

## Follow-up
followup-title = Volver a su denuncia
followup-intro = Escriba su nombre en clave para leer las respuestas y añadir información.
followup-codename-label = Su nombre en clave
followup-codename-help = Las palabras que recibió, separadas por espacios. Da igual si usa mayúsculas o minúsculas.
followup-login = Abrir mi denuncia
followup-check-words = No pudimos abrir una denuncia con estas palabras. Revise las palabras y su orden, e inténtelo de nuevo.
followup-session-ended = Su sesión terminó, por su seguridad. Escriba de nuevo su nombre en clave.
followup-busy = El servidor está ocupado. Inténtelo de nuevo en un minuto.
followup-status-title = Estado
followup-status-received = Recibida. Un revisor la leerá.
followup-status-in_review = En revisión.
followup-status-closed = Cerrada.
followup-replies-title = Respuestas
followup-no-replies = Todavía no hay respuestas. Vuelva más tarde.
followup-reply-from = Respuesta recibida el { $day }
followup-delete-reply = Borrar esta respuesta
followup-deleted = Se borró la respuesta.
followup-message-title = Añadir información
followup-message-help = Su mensaje se cifra y se añade a su denuncia. No podrá volver a leerlo aquí.
followup-message-send = Enviar de forma segura
followup-message-sent = Recibimos su mensaje.
followup-message-empty = Primero escriba un mensaje.
followup-message-too-long = Este mensaje es demasiado largo: como máximo { $max } caracteres.
followup-logout = Salir de mi denuncia
followup-logged-out = Su denuncia ya no está abierta en este dispositivo. Cierre también la ventana del navegador.

## Attachments
attachments-keep-label = Conservar los metadatos originales. Esto puede ayudar a probar que un archivo es auténtico, pero también puede revelar su identidad.
attachments-limits = Hasta { $count } archivos, de { $size } como máximo cada uno.
files-choose-again = Sus archivos no se conservaron: vuelva a elegirlos antes de enviar.
confirm-files-title = Sus archivos
file-result-cleaned = Datos eliminados: { $removed }.
file-result-nothing-found = No se encontró nada que revele su identidad.
file-result-not-cleanable = Este tipo de archivo no se puede limpiar; se guardó tal como lo envió.
file-result-kept-original = Se guardó tal como lo envió, como usted pidió.
removed-location = ubicación
removed-camera = cámara
removed-author = autor
removed-software = programa
removed-dates = fechas
removed-comments = comentarios
removed-thumbnail = imagen de vista previa
removed-identifiers = identificadores del documento
removed-other = otros datos
error-too-many-files = Demasiados archivos: puede enviar como máximo { $limit }. No se guardó nada.
error-file-too-large = El archivo { $name } es demasiado grande (el límite es { $limit }). No se guardó nada.
error-submission-too-large = Los archivos juntos son demasiado grandes (el límite es { $limit }). No se guardó nada.
error-file-cannot-clean = No pudimos quitar de { $name } los datos que podrían revelar su identidad: puede que el archivo esté dañado. No se guardó nada. Puede enviarlo de nuevo marcando “Conservar los metadatos originales”, o no incluirlo.
error-file-too-large-to-clean = El archivo { $name } es demasiado grande para que podamos limpiarlo (el límite para este tipo es { $limit }). No se guardó nada. Puede enviarlo de nuevo marcando “Conservar los metadatos originales”, o no incluirlo.
error-files-not-cleanable = No pudimos quitar los datos que podrían revelar su identidad de: { $names }. No se guardó nada. Abajo, elija para cada uno de estos archivos si enviarlo tal como está o no incluirlo.
files-refused-title = Archivos que no pudimos limpiar
file-refused-type = los datos que podrían identificarle (por ejemplo, un autor, un dispositivo o un lugar) no se pueden quitar de este tipo de archivo.
file-refused-damaged = este archivo parece dañado, por lo que no se pudieron quitar los datos que podrían identificarle.
files-refused-choices = Para enviar un archivo así tal como está, con todo lo que pueda contener sobre usted, vuelva a elegirlo en el campo de abajo. Para no incluirlo, no lo elija de nuevo.
attachments-as-is-label = Enviar tal como está (se conservan los metadatos originales)
attachments-as-is-help = Los archivos elegidos aquí se guardan exactamente como están, con los nombres, fechas, dispositivos o lugares que contengan. Elija aquí solo un archivo nombrado arriba que quiera enviar de todos modos.
files-leave-out-help = Este botón envía todo lo demás, sin los archivos nombrados arriba.
files-leave-out = No incluirlo y enviar
error-low-space = El servidor se está quedando sin espacio en disco, así que no se guardó nada. Lo que escribió sigue aquí: inténtelo de nuevo más tarde.
error-reviewers-changed = Las personas que leen los informes cambiaron mientras se subían sus archivos, así que no se guardó nada. Envíelo de nuevo.
followup-withdraw-title = Retirar su consentimiento
followup-withdraw-help = Marque aquello con lo que ya no está de acuerdo. Los revisores lo respetarán desde ahora.
followup-withdraw-submit = Retirar mi consentimiento
followup-withdraw-done = Se registró la retirada de su consentimiento.
followup-withdraw-none = Marque al menos una opción para retirar.
