# Labels of the default questionnaire. Ids: q-<field>, q-<field>-help,
# q-<field>-opt-<option>. English is the source of truth for every locale.

q-anonymity = ¿Cómo debemos tratar su identidad?
q-anonymity-help = Usted elige. Elija lo que elija, su denuncia se cifra antes de guardarse.
q-anonymity-opt-anonymous = Anonimato: no me pregunten quién soy. Nadie sabrá mi nombre.
q-anonymity-opt-confidential = Confidencial: puedo dar mi nombre y mi contacto, pero solo unos pocos revisores de confianza podrán verlos, y nunca se compartirán.
q-anonymity-opt-consented = Con consentimiento: puedo dar mi nombre y mi contacto, y puedo permitir que se compartan con la ONU.

q-reporter_relationship = ¿Qué relación tiene usted con la persona en riesgo?
q-reporter_relationship-opt-self = Soy la persona en riesgo
q-reporter_relationship-opt-family = Familiar
q-reporter_relationship-opt-colleague = Colega
q-reporter_relationship-opt-organisation = Organización
q-reporter_relationship-opt-lawyer = Abogado o abogada
q-reporter_relationship-opt-witness = Testigo
q-reporter_relationship-opt-other = Otro

q-victim_type = ¿Contra quién se dirigió?
q-victim_type-help = Elija todas las que correspondan.
q-victim_type-opt-defender = Defensor o defensora de derechos humanos
q-victim_type-opt-journalist = Periodista
q-victim_type-opt-lawyer = Abogado o abogada
q-victim_type-opt-victim_or_witness = Víctima o testigo de una violación
q-victim_type-opt-relative = Familiar de un defensor o de una víctima
q-victim_type-opt-ngo = Organización no gubernamental
q-victim_type-opt-community = Comunidad o grupo
q-victim_type-opt-indigenous_representative = Representante de pueblos indígenas
q-victim_type-opt-trade_unionist = Sindicalista
q-victim_type-opt-nhri = Institución nacional de derechos humanos
q-victim_type-opt-un_staff = Miembro del personal de la ONU
q-victim_type-opt-other = Otro

q-country = ¿En qué país ocurrió?

q-locality = Ciudad o región (opcional)
q-locality-help = Un lugar pequeño puede revelar quién es usted. Déjelo en blanco si tiene dudas.

q-incident_date = ¿Cuándo ocurrió? (opcional)
q-incident_date-help = Indique solo lo que sepa: el año, el mes o el día exacto.
q-incident_date-year = Año
q-incident_date-month = Mes
q-incident_date-day = Día
q-incident_date-precision = ¿Cuánta certeza tiene sobre esta fecha?
q-incident_date-precision-exact = Exacta
q-incident_date-precision-estimate = Aproximada
q-incident_date-precision-unknown = No lo sé

q-ongoing = ¿Sigue ocurriendo?
q-ongoing-opt-yes = Sí
q-ongoing-opt-no = No
q-ongoing-opt-unknown = No lo sé

q-reprisal_types = ¿Qué ocurrió?
q-reprisal_types-help = Elija todas las que correspondan.
q-reprisal_types-opt-threats_harassment = Amenazas u hostigamiento
q-reprisal_types-opt-death_threat = Amenaza de muerte
q-reprisal_types-opt-smear_campaign = Campaña de desprestigio
q-reprisal_types-opt-online_harassment = Acoso en línea
q-reprisal_types-opt-hacking_cyberattack = Pirateo o ciberataque
q-reprisal_types-opt-physical_surveillance = Vigilancia física
q-reprisal_types-opt-digital_surveillance = Vigilancia digital
q-reprisal_types-opt-travel_ban = Prohibición de viajar
q-reprisal_types-opt-judicial_harassment = Hostigamiento judicial o procesamiento penal
q-reprisal_types-opt-arbitrary_detention = Arresto o detención arbitrarios
q-reprisal_types-opt-house_arrest = Arresto domiciliario
q-reprisal_types-opt-enforced_disappearance = Desaparición forzada
q-reprisal_types-opt-torture_ill_treatment = Tortura o malos tratos
q-reprisal_types-opt-physical_attack = Agresión física
q-reprisal_types-opt-killing = Asesinato
q-reprisal_types-opt-raid_search = Allanamiento o registro
q-reprisal_types-opt-confiscation_damage = Confiscación o daños a bienes
q-reprisal_types-opt-ngo_deregistration = Cancelación del registro de una organización
q-reprisal_types-opt-office_closure = Cierre de una oficina
q-reprisal_types-opt-restrictive_legislation = Leyes restrictivas
q-reprisal_types-opt-fines_asset_freeze = Multas o congelación de bienes
q-reprisal_types-opt-dismissal_disbarment = Despido o inhabilitación para ejercer la abogacía
q-reprisal_types-opt-deportation_exile = Expulsión del país o exilio forzado
q-reprisal_types-opt-deterred_from_cooperating = Impedimentos para cooperar con la ONU
q-reprisal_types-opt-other = Otro

q-un_engagement = ¿Ocurrió después de un contacto con la ONU? ¿Con qué parte?
q-un_engagement-help = Elija todas las que correspondan.
q-un_engagement-opt-hrc_session = Período de sesiones del Consejo de Derechos Humanos
q-un_engagement-opt-upr = Examen Periódico Universal
q-un_engagement-opt-special_procedures = Relatores Especiales u otros procedimientos especiales
q-un_engagement-opt-treaty_body = Un órgano de tratado
q-un_engagement-opt-ohchr_presence = Una oficina de derechos humanos de la ONU
q-un_engagement-opt-un_country_team = El equipo de las Naciones Unidas en el país
q-un_engagement-opt-peace_operation = Una operación de paz de la ONU
q-un_engagement-opt-commission_of_inquiry = Una comisión de investigación
q-un_engagement-opt-security_council = El Consejo de Seguridad
q-un_engagement-opt-other_un_body = Otro órgano de la ONU
q-un_engagement-opt-none = Ninguna

q-un_engagement_detail = Detalles del contacto con la ONU (opcional)
q-un_engagement_detail-help = Por ejemplo, el período de sesiones, el mandato o los números de referencia.

q-perpetrator_types = ¿Quién fue responsable?
q-perpetrator_types-help = Elija todas las que correspondan.
q-perpetrator_types-opt-police = Policía
q-perpetrator_types-opt-military = Fuerzas armadas
q-perpetrator_types-opt-intelligence = Servicios de inteligencia
q-perpetrator_types-opt-judiciary = Tribunales o fiscalía
q-perpetrator_types-opt-local_officials = Funcionarios locales
q-perpetrator_types-opt-national_officials = Funcionarios nacionales
q-perpetrator_types-opt-pro_government_group = Grupo progubernamental
q-perpetrator_types-opt-armed_group = Grupo armado
q-perpetrator_types-opt-private_individual = Particular
q-perpetrator_types-opt-corporation = Empresa
q-perpetrator_types-opt-media = Medios de comunicación
q-perpetrator_types-opt-unknown = Se desconoce

q-narrative = ¿Qué ocurrió? Cuéntenoslo con sus propias palabras.
q-narrative-help = Puede escribir en cualquier idioma. Escriba solo lo que quiera compartir.

q-current_risk = ¿Cuál es la situación ahora?
q-current_risk-help = Elija todas las que correspondan.
q-current_risk-opt-detained = Alguien está detenido
q-current_risk-opt-whereabouts_unknown = Se desconoce el paradero de alguien
q-current_risk-opt-family_at_risk = Hay familiares en riesgo
q-current_risk-opt-devices_compromised = Puede que teléfonos o computadoras estén comprometidos
q-current_risk-opt-travel_blocked = No se puede viajar
q-current_risk-opt-court_date_pending = Se acerca una audiencia judicial
q-current_risk-opt-none = Ninguna de estas

q-help_needed = ¿Qué ayuda le sería útil?
q-help_needed-help = Elija todas las que correspondan.
q-help_needed-opt-legal = Asistencia jurídica
q-help_needed-opt-digital_security = Seguridad digital
q-help_needed-opt-medical = Atención médica
q-help_needed-opt-relocation = Reubicación
q-help_needed-opt-advocacy = Incidencia
q-help_needed-opt-raise_with_un = Plantearlo ante la ONU
q-help_needed-opt-none = Ninguna

q-prior_reporting = ¿Ha denunciado esto en otro lugar?
q-prior_reporting-help = Elija todas las que correspondan.
q-prior_reporting-opt-un = La ONU
q-prior_reporting-opt-national_authority = Una autoridad nacional
q-prior_reporting-opt-nhri = Una institución nacional de derechos humanos
q-prior_reporting-opt-ngo = Una organización no gubernamental
q-prior_reporting-opt-media = Los medios de comunicación
q-prior_reporting-opt-none = En ningún otro lugar

q-attachments = Archivos (opcional)

q-identity_name = Su nombre (opcional)
q-identity_contact_channel = ¿Cómo podemos comunicarnos con usted? (opcional)
q-identity_contact_channel-opt-email = Correo electrónico
q-identity_contact_channel-opt-signal = Signal
q-identity_contact_channel-opt-whatsapp = WhatsApp
q-identity_contact_channel-opt-telegram = Telegram
q-identity_contact_channel-opt-phone = Teléfono
q-identity_contact_channel-opt-other = Otro
q-identity_contact = Sus datos de contacto (opcional)
q-identity_contact-help = Dé solo un contacto que sea seguro para usted.

q-consent_informed_of_risks = Entiendo que cualquier acción sobre mi caso, incluso si es cuidadosa, conlleva algún riesgo.
q-consent_share_ohchr = Mi caso puede transmitirse al equipo de la ONU que se ocupa de las represalias.
q-consent_raise_with_state = Mi caso puede plantearse ante el gobierno correspondiente.
q-consent_sg_report = ¿Puede aparecer mi caso en el informe público del Secretario General de la ONU sobre represalias?
q-consent_sg_report-opt-named = Sí, con nombres
q-consent_sg_report-opt-anonymous = Sí, pero sin nombres
q-consent_sg_report-opt-no = No
q-consent_share_protection_orgs = Mi caso puede compartirse con organizaciones que protegen a defensores.
q-consent_contact_back = Los revisores pueden responderme a través de este sitio web.
q-consent_share_identity_un = Mi nombre y mi contacto pueden entregarse a la ONU.

opt-yes = Sí
opt-no = No
q-attachments-help = Puede adjuntar documentos, fotos, audio o video. Antes de guardarlos, quitamos de los archivos los datos que podrían revelar su identidad: ubicación, cámara, autor.
